#!/usr/bin/env python3
# gen-vala-custom.py: the vapi's string-array methods, from redis-commands.txt
#
#   gen-vala-custom.py --vala TABLE CLIENT_H OUTPUT
#   gen-vala-custom.py --metadata TABLE CLIENT_H METADATA OUTPUT
#
# The C API takes NULL-terminated string arrays as `const char * const *`;
# valac passes a `gchar **` there unless the parameter's CCode gives the C
# type, and gcc (an error from gcc 14) rejects that. The metadata's ctype
# would say it, but vapigen before 0.56.15 drops a parameter's ctype. So
# every method with a string-array parameter is skipped in the metadata and
# declared again, with `type = "const gchar* const*"`, in a .vala file that
# vapigen merges into the classes it generates (docs/vala.md).
#
# --vala writes that file (DtRedis-1.0-custom.vala): the typed methods of
# both clients that take keys..., fields..., values... or members... as
# text (their _bytes twins too when they keep a string array), and the
# hand-written ones in HAND_WRITTEN below. Every declaration is the one
# vapigen makes of the GIR, but for that CCode.
# --metadata writes METADATA (the committed DtRedis-1.0.metadata) followed
# by a skip line for each of those methods, and for the _finish function of
# each _async one (vapigen binds it as a method of its own otherwise).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from command_table import parse, with_short_forms  # noqa: E402

STRV = ('[CCode (array_length = false, array_null_terminated = true, '
        'type = "const gchar* const*")] string[]')
CANCELLABLE = 'GLib.Cancellable? cancellable = null'

# The hand-written methods that take a string array: (class, Vala
# declaration). Their C is in dtredis-client.h, dtredis-async-client.h,
# dtredis-pipeline.h and dtredis-pubsub.h.
HAND_WRITTEN = [
    ('Client', 'public DtRedis.Reply execute (%s argv, %s) throws GLib.Error;' % (STRV, CANCELLABLE)),
    ('AsyncClient', 'public async DtRedis.Reply execute_async (%s argv, %s) throws GLib.Error;'
     % (STRV, CANCELLABLE)),
    ('Pipeline', 'public unowned DtRedis.Pipeline append (%s argv);' % STRV),
    ('Pipeline', 'public bool watch (%s keys, %s) throws GLib.Error;' % (STRV, CANCELLABLE)),
    ('Pipeline', 'public async bool watch_async (%s keys, %s) throws GLib.Error;' % (STRV, CANCELLABLE)),
    ('Pipeline', 'public DtRedis.Reply execute_immediate (%s argv, %s) throws GLib.Error;'
     % (STRV, CANCELLABLE)),
    ('Pipeline', 'public async DtRedis.Reply execute_immediate_async (%s argv, %s) throws GLib.Error;'
     % (STRV, CANCELLABLE)),
]
# DtRedisPubSub's calls (dtredis-pubsub.h): the unsubscribes take NULL for all.
for _verb in ('subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe'):
    _names = STRV + ('?' if _verb.endswith('unsubscribe') else '') + ' names'
    HAND_WRITTEN.append(('PubSub', 'public bool %s (%s, %s) throws GLib.Error;'
                         % (_verb, _names, CANCELLABLE)))
    HAND_WRITTEN.append(('PubSub', 'public async bool %s_async (%s, %s) throws GLib.Error;'
                         % (_verb, _names, CANCELLABLE)))
del _verb, _names

CLASS_HEADERS = {
    'AsyncClient': 'public sealed class AsyncClient : GLib.Object',
    'Client': 'public sealed class Client : GLib.Object',
    'Pipeline': 'public sealed class Pipeline : GLib.Object',
    'PubSub': 'public sealed class PubSub : GLib.Object',
}

# reply -> (Vala return type, the twin's, CCode of the return or None), as
# vapigen writes them from the GIR's annotations.
REPLY = {
    'ok': ('bool', None),
    'ok?': ('bool', None),
    'bool': ('bool', None),
    'int': ('int64', None),
    'int?': ('int64', None),
    'double': ('double', None),
    'double?': ('double', None),
    'text': ('string?', 'GLib.Bytes?'),
    'text?': ('string?', 'GLib.Bytes?'),
    'texts': ('string[]', 'GLib.GenericArray<weak GLib.Bytes>'),
    'texts?': ('GLib.GenericArray<weak string>', 'GLib.GenericArray<weak GLib.Bytes>'),
    'ints': ('GLib.Array<int64>', None),
    'hash': ('GLib.HashTable<weak string,weak string>', 'GLib.HashTable<weak string,weak GLib.Bytes>'),
    'scored': ('GLib.GenericArray<weak DtRedis.ScoredMember>', None),
    'reply': ('DtRedis.Reply', None),
    'bytes': ('GLib.Bytes', None),
    'bytes?': ('GLib.Bytes?', None),
}


# The value that means "absent" for each kind of option, as Vala defaults.
OPTION_DEFAULTS = {'str?': 'null', 'int?': '-1', 'int0?': '0', 'flags': '0'}


def trailing_defaults(method):
    """{parameter name: Vala default} for the options of a _full method that
    only options follow (Vala defaults must come last, before the
    cancellable's)."""
    if 'short_name' not in method:
        return {}
    out = {}
    for p in reversed(method['params']):
        if p['kind'] in ('literal', 'numkeys'):
            continue
        if p['kind'] not in OPTION_DEFAULTS:
            break
        out[p['name']] = OPTION_DEFAULTS[p['kind']]
    return out


def vala_params(method, twin):
    """The Vala parameters of @method (without self and cancellable), and
    whether one of them is a string array."""
    out = []
    strv = False
    defaults = trailing_defaults(method)
    for p in method['params']:
        k = p['kind']
        if k in ('literal', 'numkeys'):
            continue
        name = '@' + p['name']
        pos = len(out) + 1
        if k == 'text' or (k == 'value' and not twin):
            if p['many']:
                out.append('%s %s' % (STRV, name))
                strv = True
            else:
                out.append('string %s' % name)
        elif k == 'value':
            if p['many']:
                out.append('[CCode (array_length_cname = "n_%s", array_length_pos = %d.5, '
                           'array_length_type = "guint")] GLib.Bytes[] %s' % (p['name'], pos, name))
            else:
                out.append('GLib.Bytes %s' % name)
        elif k == 'mapping':
            out.append('GLib.HashTable<string,%s> %s' % ('GLib.Bytes' if twin else 'string', name))
        elif k == 'scored':
            out.append('[CCode (array_length_cname = "n_%s", array_length_pos = %d.5, '
                       'array_length_type = "guint")] DtRedis.ScoredMember[] %s' % (p['name'], pos, name))
        elif k == 'str':
            out.append('string %s' % name)
        elif k == 'str?':
            out.append('string? %s' % name)
        elif k in ('int', 'int?', 'int0?'):
            out.append('int64 %s' % name)
        elif k == 'double':
            out.append('double %s' % name)
        elif k == 'bytes':
            out.append('GLib.Bytes %s' % name)
        elif k == 'flags':
            out.append('DtRedis.%s %s' % (p['type'], name))
        else:
            raise ValueError('unknown parameter kind %s' % k)
        if p['name'] in defaults:
            out[-1] += ' = ' + defaults[p['name']]
    return out, strv


def return_type(method, twin):
    text, twin_type = REPLY[method['reply']]
    return twin_type if twin and twin_type else text


def typed_methods(table, client_h):
    """(class, Vala method name, declaration) of each typed method with a
    string-array parameter, sync and async."""
    with open(client_h, encoding='utf-8') as f:
        hand_written = set(re.findall(r'\bdt_redis_client_([a-z0-9_]+) \(', f.read()))
    methods = [m for c in parse(table) for m in c['typed']]
    out = []
    for m in with_short_forms(methods):
        for twin in ([False, True] if m['twin'] else [False]):
            # As gen-typed-methods.py: a hand-written text method is not
            # generated, its twin is.
            if not twin and m['name'] in hand_written:
                continue
            params, strv = vala_params(m, twin)
            if not strv:
                continue
            name = m['name'] + ('_bytes' if twin else '')
            rtype = return_type(m, twin)
            attrs = ''
            if rtype == 'string[]':
                attrs = '[CCode (array_length = false, array_null_terminated = true)]\n'
            args = ', '.join(params + [CANCELLABLE])
            out.append(('Client', name,
                        '%spublic %s @%s (%s) throws GLib.Error;' % (attrs, rtype, name, args)))
            out.append(('AsyncClient', name + '_async',
                        '%spublic async %s @%s_async (%s) throws GLib.Error;' % (attrs, rtype, name, args)))
    return out


def all_methods(table, client_h):
    out = typed_methods(table, client_h)
    for cls, decl in HAND_WRITTEN:
        name = re.search(r'(\w+) \(', decl).group(1)
        out.append((cls, name, decl))
    return out


def write_vala(methods, path):
    by_class = {}
    for cls, _, decl in methods:
        by_class.setdefault(cls, []).append(decl)
    with open(path, 'w', encoding='utf-8') as f:
        f.write('/* DtRedis-1.0-custom.vala: generated by gen-vala-custom.py; do not edit.\n'
                ' * The methods that take a string array, with its C type (const gchar* const*);\n'
                ' * DtRedis-1.0.metadata skips them in the GIR. */\n\n')
        f.write('namespace DtRedis {\n')
        for cls in sorted(by_class):
            f.write('\t%s {\n' % CLASS_HEADERS[cls])
            for decl in by_class[cls]:
                for line in decl.split('\n'):
                    f.write('\t\t%s\n' % line)
            f.write('\t}\n')
        f.write('}\n')


def default_lines(table, client_h, custom):
    """Metadata giving the trailing options of every _full method vapigen
    binds from the GIR their Vala defaults (the custom ones have theirs in
    their declaration)."""
    skipped = {(cls, name) for cls, name, _ in custom}
    lines = []
    methods = [m for c in parse(table) for m in c['typed']]
    for m in with_short_forms(methods):
        defaults = trailing_defaults(m)
        if not defaults:
            continue
        for twin in ([False, True] if m['twin'] else [False]):
            name = m['name'] + ('_bytes' if twin else '')
            for cls, vname in (('Client', name), ('AsyncClient', name + '_async')):
                if (cls, vname) in skipped:
                    continue
                for param, value in defaults.items():
                    lines.append('%s.%s.%s default=%s' % (cls, vname, param, value))
    return lines


def write_metadata(methods, committed, path, defaults=()):
    with open(committed, encoding='utf-8') as f:
        text = f.read()
    # A _finish function the metadata gives another _async method as its
    # finish_name stays: vapigen takes that method's result type from it.
    shared = set(re.findall(r'finish_name="dt_redis_(\w+)"', text))
    lines = ['', '// Generated by gen-vala-custom.py: the methods DtRedis-1.0-custom.vala',
             '// declares again with the C type of their string array, and the _finish',
             '// functions of the _async ones.']
    for cls, name, _ in methods:
        lines.append('%s.%s skip' % (cls, name))
        if name.endswith('_async'):
            finish = '%s_finish' % name[:-len('_async')]
            c_finish = '%s_%s' % (re.sub(r'(?<!^)(?=[A-Z])', '_', cls).lower(), finish)
            if c_finish not in shared:
                lines.append('%s.%s skip' % (cls, finish))
    if defaults:
        lines += ['', '// Generated: the Vala defaults of the _full methods\' options.']
        lines += defaults
    with open(path, 'w', encoding='utf-8') as f:
        f.write(text.rstrip('\n') + '\n' + '\n'.join(lines) + '\n')


def main():
    args = sys.argv[1:]
    if len(args) == 4 and args[0] == '--vala':
        write_vala(all_methods(args[1], args[2]), args[3])
    elif len(args) == 5 and args[0] == '--metadata':
        custom = all_methods(args[1], args[2])
        write_metadata(custom, args[3], args[4], default_lines(args[1], args[2], custom))
    else:
        sys.exit('usage: gen-vala-custom.py --vala TABLE CLIENT_H OUTPUT\n'
                 '       gen-vala-custom.py --metadata TABLE CLIENT_H METADATA OUTPUT')


if __name__ == '__main__':
    main()
