#!/usr/bin/env python3
# gen-redis-py-methods.py: the redis-py command methods of the Python layer,
# from the "py>" lines of redis-commands.txt
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: gen-redis-py-methods.py redis-commands.txt command_table.py OUTPUT
#        gen-redis-py-methods.py redis-commands.txt command_table.py --page PAGE
#
# Writes OUTPUT (dtredis/commands.py): class Commands, one method per py
# line, each building the command's arguments and handing them with the
# reply conversion to self._execute(argv, callback); and
# RESPONSE_CALLBACKS, the conversion execute_command() applies by command
# name. The grammar of a py line is described in redis-commands.txt. With
# --page, writes instead the reference page that lists every method
# (python-methods.md, for gi-docgen).

import ast
import os
import re
import sys

LITERAL = re.compile(r'^[A-Z][A-Z0-9_-]*$')
NAME = r'[a-z_][a-z0-9_]*'
CONVERSIONS = {'s': '_c.seconds', 'ms': '_c.milliseconds',
               'unix': '_c.unix_seconds', 'unixms': '_c.unix_milliseconds',
               'bit': '_c.bit'}
ITEM = re.compile(r'^(?P<star>\*)?(?P<count>#)?(?P<name>' + NAME + r')'
                  r'(?:(?P<plus>\+)(?P<rest>' + NAME + r')?)?'
                  r'(?:,(?P<second>' + NAME + r'))?'
                  r'(?:(?P<op>[?!~])(?P<token>[A-Z][A-Z0-9_-]*)?)?'
                  r'(?:@(?P<conv>[a-z]+))?$')
MAPPING = re.compile(r'^\{(?P<name>' + NAME + r')\}(?P<order>vk)?$')
CONVERTER = re.compile(r'^(?P<name>[a-z_][a-z0-9_]*)(?:\((?P<args>[A-Za-z0-9_, ]*)\))?$')
CONSTANTS = ('True', 'False', 'None')


class PyLineError(Exception):
    pass


def parse_signature(text):
    """'name(params)' as (name, params text, [parameter names])."""
    match = re.match(r'^(' + NAME + r')\((.*)\)$', text.strip())
    if not match:
        raise PyLineError('expected NAME(PARAMS) before ":"')
    name, params = match.groups()
    try:
        tree = ast.parse('def f(self%s%s): pass' % (', ' if params.strip() else '', params))
    except SyntaxError as error:
        raise PyLineError('bad parameter list: %s' % error.msg)
    args = tree.body[0].args
    names = [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs][1:]
    if args.vararg:
        names.append(args.vararg.arg)
    if args.kwarg:
        names.append(args.kwarg.arg)
    return name, params.strip(), names


def emit_item(item, params, used, lines):
    """The statements that add one template @item to pieces."""
    if LITERAL.match(item):
        lines.append('pieces.append(%r)' % item)
        return
    match = MAPPING.match(item)
    if match:
        name = match.group('name')
        if name not in params:
            raise PyLineError('%s is not a parameter' % name)
        used.add(name)
        if match.group('order'):
            lines.append('for key, value in %s.items():' % name)
            lines.append('    pieces += (value, key)')
        else:
            lines.append('for pair in %s.items():' % name)
            lines.append('    pieces.extend(pair)')
        return
    match = ITEM.match(item)
    if not match:
        raise PyLineError('bad template item %s' % item)
    name, rest, op, token, conv, second = (
        match.group(g) for g in ('name', 'rest', 'op', 'token', 'conv', 'second'))
    for n in (name, rest, second):
        if n and n not in params:
            raise PyLineError('%s is not a parameter' % n)
        if n:
            used.add(n)
    value = name
    if conv:
        if conv not in CONVERSIONS:
            raise PyLineError('unknown conversion @%s' % conv)
        value = '%s(%s)' % (CONVERSIONS[conv], name)
    if match.group('count'):
        if rest or op or conv or match.group('star'):
            raise PyLineError('#NAME takes nothing else')
        lines.append('pieces.append(len(%s))' % name)
        return
    if match.group('plus'):
        if op or conv or second or match.group('star'):
            raise PyLineError('NAME+REST takes nothing else')
        lines.append('pieces += _c.list_or_args(%s, %s)' % (name, rest or 'None'))
        return
    if second:
        if op != '?' or conv or match.group('star'):
            raise PyLineError('A,B takes ?TOKEN and nothing else')
        lines.append('if %s is not None and %s is not None:' % (name, second))
        lines.append('    pieces += (%s%s, %s)' % ('%r, ' % token if token else '', name, second))
        return
    if match.group('star'):
        if op or conv:
            raise PyLineError('*NAME takes nothing else')
        lines.append('pieces += %s' % name)
        return
    if op == '~':
        if not token:
            raise PyLineError('NAME~ needs a TOKEN')
        lines.append('if %s:' % name)
        lines.append('    pieces += (%r, %s)' % (token, value))
    elif op == '!':
        if not token:
            raise PyLineError('NAME! needs a TOKEN')
        lines.append('if %s:' % name)
        lines.append('    pieces.append(%r)' % token)
    elif op == '?':
        lines.append('if %s is not None:' % name)
        if token:
            lines.append('    pieces += (%r, %s)' % (token, value))
        else:
            lines.append('    pieces.append(%s)' % value)
    else:
        lines.append('pieces.append(%s)' % value)


def fold_appends(lines):
    """Joins the unconditional appends at the top level into the list
    literal or into one 'pieces += (...)'."""
    out = []    # each a line, or a list of expressions still to join
    for line in lines:
        match = re.match(r'^pieces\.append\((.*)\)$', line)
        if not match:
            out.append(line)
        elif out and isinstance(out[-1], list):
            out[-1].append(match.group(1))
        else:
            out.append([match.group(1)])
    result = []
    for item in out:
        if not isinstance(item, list):
            result.append(item)
        elif result and result[-1].startswith('pieces = ['):
            result[-1] = result[-1][:-1] + ', ' + ', '.join(item) + ']'
        else:
            result.append('pieces += (%s%s)' % (', '.join(item), ',' if len(item) == 1 else ''))
    return result


def converter_expr(text, params, used):
    match = CONVERTER.match(text.strip())
    if not match:
        raise PyLineError('bad conversion %s' % text)
    name, args = match.group('name'), match.group('args')
    if args is None:
        return '_c.%s' % name, name
    names = [a.strip() for a in args.split(',') if a.strip()]
    for n in names:
        if n in CONSTANTS:
            continue
        if n not in params:
            raise PyLineError('%s is not a parameter' % n)
        used.add(n)
    return '_c.%s(%s)' % (name, ', '.join(names)), name + '()'


def method_source(command, text):
    """The source of one method, and its conversion for execute_command()
    (a factory's with its defaults)."""
    if ':' not in text or '->' not in text:
        raise PyLineError('expected SIGNATURE : TEMPLATE -> CONVERSION')
    signature, _, rest = text.partition(':')
    template, _, conversion = rest.rpartition('->')
    name, params_text, params = parse_signature(signature)
    used = set()
    words = command.replace('|', ' ').split()
    lines = ['pieces = [%s]' % ', '.join(repr(w) for w in words)]
    for item in template.split():
        emit_item(item, params, used, lines)
    expr, plain = converter_expr(conversion, params, used)
    unused = [p for p in params if p not in used and p != 'kwargs']
    if unused:
        raise PyLineError('parameters not used: %s' % ', '.join(unused))
    lines = fold_appends(lines)
    lines.append('return self._execute(pieces, %s)' % expr)
    head = 'def %s(self%s%s):' % (name, ', ' if params_text else '', params_text)
    doc = '"""%s: redis-py\'s %s(); see redis-commands.txt."""' % (' '.join(words), name)
    body = '\n'.join('        ' + line for line in [doc] + lines)
    return name, '    %s\n%s\n' % (head, body), plain


def write_page(path, rows):
    """The reference page: every method, by group, with its command."""
    out = ['Title: Python methods', 'Slug: python-methods', '',
           '# Python methods', '',
           'Every redis-py method of `DtRedis.Client`, `DtRedis.AsyncClient` and',
           'their pipelines, by command group, with redis-py\'s signature. This',
           'page is generated from the command table (`dtredis/redis-commands.txt`)',
           'at build time; "by hand" marks the methods whose arguments redis-py',
           'checks or combines, or whose connection state needs a word',
           '(`dtredis/hand_commands.py`, `dtredis/hand_server_commands.py`). The',
           'conversion is the'
           'function of `dtredis/convert.py` that makes redis-py\'s return value.', '',
           '%d methods, %d of them by hand.' % (len(rows), sum(1 for r in rows if r[4])), '']
    group = None
    for grp, command, signature, conversion, hand in sorted(rows):
        if grp != group:
            group = grp
            out += ['', '## %s' % grp, '', '| method | command | reply |', '| --- | --- | --- |']
        out.append('| `%s` | `%s` | %s |' % (signature.replace('|', '\\|'), command.replace('|', ' '),
                                           'by hand' if hand else '`%s`' % conversion))
    with open(path, 'w', encoding='utf-8') as f:
        f.write('\n'.join(out) + '\n')


def main():
    table, table_module, output = sys.argv[1:4]
    page = None
    if output == '--page':
        output, page = None, sys.argv[4]
    sys.path.insert(0, os.path.dirname(os.path.abspath(table_module)))
    import command_table

    commands = command_table.parse(table)
    methods = []
    names = set()
    callbacks = {}
    hand = []
    rows = []
    for command in commands:
        for number, text in command['py']:
            try:
                if text.startswith('hand '):
                    signature, _, conversion = text[5:].partition('->')
                    name, _, params = parse_signature(signature)
                    hand.append((command['name'], name))
                    rows.append((command['group'], command['name'], signature.strip(), '', True))
                    conversion, _, words = conversion.partition(' for ')
                    key = words.strip() or command['name'].replace('|', ' ')
                    if conversion.strip() and key not in callbacks:
                        callbacks[key] = converter_expr(conversion, params, set())[1]
                    continue
                rows.append((command['group'], command['name'], text.partition(':')[0].strip(),
                             text.rpartition('->')[2].strip(), False))
                name, source, plain = method_source(command['name'], text)
            except PyLineError as error:
                sys.exit('%s:%d: %s' % (table, number, error))
            if name in names:
                sys.exit('%s:%d: method %s defined twice' % (table, number, name))
            names.add(name)
            methods.append(source)
            key = command['name'].replace('|', ' ')
            if plain and key not in callbacks:
                callbacks[key] = plain

    out = ['# Generated by gen-redis-py-methods.py from redis-commands.txt: do not edit.',
           '# SPDX-License-Identifier: LGPL-2.1-or-later',
           '"""redis-py\'s command methods, generated from the command table."""',
           '',
           'from . import convert as _c',
           '',
           '',
           'class Commands:',
           '    """One method per py line of redis-commands.txt.',
           '',
           '    Each builds the command as Python values and returns',
           '    self._execute(argv, callback): the sync client runs it, the',
           '    async client returns an awaitable, a pipeline queues it.',
           '    """',
           '']
    out += methods
    out.append('')
    out.append('# The conversion execute_command() applies, by command name.')
    out.append('RESPONSE_CALLBACKS = {')
    for key in sorted(callbacks):
        out.append('    %r: _c.%s,' % (key, callbacks[key]))
    out.append('}')
    out.append('')
    out.append('# Methods the table lists but the Python layer writes by hand.')
    out.append('HAND_WRITTEN = %r' % (tuple(sorted(n for _, n in hand)),))
    if page:
        write_page(page, rows)
    else:
        with open(output, 'w', encoding='utf-8') as f:
            f.write('\n'.join(out) + '\n')


if __name__ == '__main__':
    main()
