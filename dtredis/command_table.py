# command_table.py: reads redis-commands.txt for the generators
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import re
import sys

TRAITS = ('readonly', 'write', 'blocking', 'stateful', 'pubsub', 'admin',
          'movablekeys', 'deprecated')

# The value roles: text in the method, GBytes in its _bytes twin.
VALUE_ROLES = ('value', 'member')
TEXT_ROLES = ('key', 'field')
REPLIES = ('ok', 'ok?', 'int', 'int?', 'bool', 'double', 'double?', 'text', 'text?',
           'texts', 'texts?', 'ints', 'hash', 'scored', 'reply', 'bytes', 'bytes?')
TWIN_REPLIES = ('text', 'text?', 'texts', 'texts?', 'hash')
IDENT = re.compile(r'^[a-z][a-z0-9_]*$')
TYPE_NAME = re.compile(r'^[A-Z][A-Za-z0-9]*$')


class TableError(Exception):
    pass


def parse_param(token, used):
    """One PARAM of a typed line: a dict with 'kind' and its details."""
    def name_for(base):
        if base in used:
            n = 2
            while '%s%d' % (base, n) in used:
                n += 1
            base = '%s%d' % (base, n)
        used.add(base)
        return base

    if token.startswith('"') and token.endswith('"') and len(token) > 2:
        return {'kind': 'literal', 'token': token[1:-1]}
    if token == 'numkeys':
        return {'kind': 'numkeys'}
    if token in ('mapping', 'scored'):
        return {'kind': token, 'name': name_for('mapping' if token == 'mapping' else 'members')}
    role, _, explicit = token.partition(':')
    many = role.endswith('...')
    base_role = role[:-3] if many else role
    if base_role in TEXT_ROLES + VALUE_ROLES or base_role in ('keys', 'fields', 'values', 'members'):
        if base_role in ('keys', 'fields', 'values', 'members'):
            base_role = base_role[:-1]
            many = True
        if explicit and not IDENT.match(explicit):
            raise TableError('bad parameter name in %s' % token)
        default = base_role + ('s' if many else '')
        return {'kind': 'value' if base_role in VALUE_ROLES else 'text',
                'role': base_role, 'many': many,
                'name': name_for(explicit or default)}
    kind, _, rest = token.partition(':')
    if kind in ('str', 'str?', 'int', 'int?', 'int0?', 'double', 'bytes'):
        name, _, tok = rest.partition('=')
        if not IDENT.match(name):
            raise TableError('bad parameter name in %s' % token)
        if kind in ('int?', 'int0?') and not tok:
            raise TableError('%s needs =TOKEN' % token)
        return {'kind': kind, 'name': name_for(name), 'token': tok or None}
    if kind == 'flags':
        type_name, _, tokens = rest.partition('=')
        if not TYPE_NAME.match(type_name) or not tokens:
            raise TableError('bad flags parameter %s' % token)
        return {'kind': 'flags', 'type': type_name, 'tokens': tokens.split(','),
                'name': name_for('flags')}
    raise TableError('unknown parameter %s' % token)


def method_name(command):
    if command == 'DEL':
        return 'delete'
    return command.lower().replace('|', '_').replace('-', '_')


def parse_typed(command, text):
    """A typed line 'NAME? PARAM... -> REPLY' of @command."""
    if '->' not in text:
        raise TableError('no "->" in the typed line')
    left, right = text.rsplit('->', 1)
    reply = right.strip()
    if reply not in REPLIES:
        raise TableError('unknown reply %s' % reply)
    tokens = left.split()
    name = method_name(command)
    if tokens and IDENT.match(tokens[0]) and tokens[0] not in (
            'key', 'keys...', 'field', 'fields...', 'value', 'values...', 'member',
            'members...', 'numkeys', 'mapping', 'scored'):
        name = tokens.pop(0)
    used = set()
    params = [parse_param(t, used) for t in tokens]
    for i, p in enumerate(params):
        if p['kind'] == 'numkeys' and not (i + 1 < len(params) and params[i + 1].get('many')):
            raise TableError('numkeys must come right before a keys... parameter')
    twin = (any(p['kind'] in ('value', 'mapping') for p in params) or reply in TWIN_REPLIES)
    return {'command': command, 'name': name, 'params': params, 'reply': reply, 'twin': twin}


# Options: a method that has any also comes short, without them.
OPTIONAL_KINDS = ('str?', 'int?', 'int0?', 'flags')


def with_short_forms(methods):
    """@methods, each one with options as two: the short form under its
    name, without the options (full_name names the other), and the whole
    one as NAME_full (short_name names the other)."""
    names = {m['name'] for m in methods}
    out = []
    for m in methods:
        if not any(p['kind'] in OPTIONAL_KINDS for p in m['params']):
            out.append(m)
            continue
        full = m['name'] + '_full'
        if full in names:
            raise TableError('method %s clashes with the full form of %s' % (full, m['name']))
        out.append(dict(m, params=[p for p in m['params'] if p['kind'] not in OPTIONAL_KINDS],
                        full_name=full))
        out.append(dict(m, name=full, short_name=m['name']))
    return out


def parse(path):
    """Every command of the table, in order, each with its typed methods."""
    commands = []
    seen = set()
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            stripped = line.strip()
            if not stripped or stripped.startswith('#'):
                continue
            try:
                if stripped.startswith('py>'):
                    if not commands:
                        raise TableError('a py line before any command')
                    commands[-1]['py'].append((number, stripped[3:].strip()))
                    continue
                if stripped.startswith('>'):
                    if not commands:
                        raise TableError('a typed line before any command')
                    commands[-1]['typed'].append(parse_typed(commands[-1]['name'], stripped[1:]))
                    continue
                fields = stripped.split()
                if len(fields) != 6:
                    raise TableError('expected 6 columns, found %d' % len(fields))
                name, group, arity, flags, keys, block = fields
                if name != name.upper() or name in seen:
                    raise TableError('command %s is not upper case, or repeated' % name)
                seen.add(name)
                flags = [] if flags == '-' else flags.split(',')
                for flag in flags:
                    if flag not in TRAITS:
                        raise TableError('unknown flag %s' % flag)
                if keys == '-':
                    first = last = step = 0
                else:
                    first, last, step = (int(x) for x in keys.split(':'))
                entry = dict(name=name, group=group, arity=int(arity), flags=flags,
                             first=first, last=last, step=step, block_index=0,
                             block_keyword=None, block_ms=False, typed=[], py=[])
                if ('blocking' in flags) != (block != '-'):
                    raise TableError('the block column and the blocking flag disagree')
                if block != '-':
                    where, unit = block.split(':')
                    if unit not in ('s', 'ms'):
                        raise TableError('unknown block unit %s' % unit)
                    entry['block_ms'] = unit == 'ms'
                    if where == 'last':
                        entry['block_index'] = -1
                    elif where.isdigit():
                        entry['block_index'] = int(where)
                    else:
                        entry['block_keyword'] = where
                commands.append(entry)
            except TableError as error:
                sys.exit('%s:%d: %s' % (path, number, error))
    return commands
