#!/usr/bin/env python3
# gen-typed-test.py: a GTest program that runs every typed method once
#
#   gen-typed-test.py TABLE CLIENT_COMMANDS_H ASYNC_COMMANDS_H OUTPUT_C
#
# Walks redis-commands.txt (through dtredis/command_table.py) and writes, at
# build time (never committed), a C program that starts a private
# redis-server and calls every sync method the library generated (text
# and _bytes twin) once with sample arguments, then the _async/_finish pair
# of a sample of them. The generated headers are the truth of what exists:
# a method of the table they do not declare (a hand-written one) is not
# called, and a method whose parameters differ from the table stops the
# build here rather than in the C compiler.
#
# Each call must succeed, or fail only with DT_REDIS_ERROR_SERVER (the
# server understood the command and refused it); any other error means a
# bad builder or a wrong reply conversion. At least MIN_SUCCESS percent
# must succeed; the program lists the refused ones.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import hashlib
import os
import re
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'dtredis'))
from command_table import parse, with_short_forms  # noqa: E402

MIN_SUCCESS = 80
# Async pairs: this many methods of each (reply, twin) shape.
ASYNC_PER_SHAPE = 2

SCRIPT = 'return 1'
SCRIPT_SHA1 = hashlib.sha1(SCRIPT.encode()).hexdigest()
FUNCTION_CODE = ("#!lua name=typedlib\n"
                 "redis.register_function{function_name='typedfn', "
                 "callback=function(keys, args) return 1 end, flags={'no-writes'}}")

# -- sample arguments ---------------------------------------------------------

# str and str? parameters by name; a str? not named here is passed as NULL.
SAMPLE_STR = {
    'cursor': '0', 'pattern': '*', 'operation': 'AND',
    'where': 'LEFT', 'wherefrom': 'LEFT', 'whereto': 'LEFT',
    'strategy': 'MAXLEN', 'threshold': '10', 'unit': 'm',
    'script': SCRIPT, 'sha1': SCRIPT_SHA1, 'function': 'typedfn',
    'library_name': 'typedlib', 'code': FUNCTION_CODE,
    'parameter': 'maxmemory', 'value': '0',
    'channel': 'typed', 'shardchannel': 'typed', 'section': 'server', 'message': 'hello',
    'group': 'group', 'consumer': 'alice', 'id': '0-0', 'last_id': '5-0',
    'start': '-', 'end': '+', 'min': '-inf', 'max': '+inf', 'stop': '+inf',
    'aggregate': 'SUM',
}
# The same, for one group or one method (these win).
SAMPLE_STR_GROUP = {
    'sorted-set': {'where': 'MIN', 'start': '-inf', 'stop': '+inf'},
}
SAMPLE_STR_METHOD = {
    'linsert': {'where': 'BEFORE'},
    'scan': {'type': 'string'},
    'client_list': {'type': 'normal'},
    'xadd': {'id': '*'}, 'xadd_nomkstream': {'id': '*'},
    'xadd_trim': {'id': '*'}, 'xadd_trim_approx': {'id': '*'},
    'xreadgroup': {'id': '>'},
}
LEX = {'start': '-', 'stop': '+', 'min': '-', 'max': '+'}   # *lex* methods

SAMPLE_INT = {   # int
    'start': 0, 'end': -1, 'stop': -1, 'index': 0, 'offset': 0, 'bit': 1,
    'count': 2, 'increment': 1, 'decrement': 1, 'db': 1,
    'seconds': 100, 'milliseconds': 100000,
    'unix_time': 4102444800, 'unix_time_ms': 4102444800000,
    'ttl': 0, 'min_idle_time': 0, 'numreplicas': 0, 'timeout_ms': 1,
}
# int?: else -1 (absent); the options named here are sent, to check their tokens
SAMPLE_OPT_INT = {'count': 2, 'seconds': 100, 'limit': 0, 'samples': 5, 'block_ms': 10,
                  'entries_read': 0, 'idle_ms': 0, 'retrycount': 0, 'min_idle_time': 0,
                  'db': 1, 'maxlen': 10}
SAMPLE_OPT_INT0 = {'rank': 1}                                           # int0?: else 0
SAMPLE_DOUBLE = {
    'timeout': 0.01, 'longitude': 13.361389, 'latitude': 38.115556,
    'radius': 200.0, 'width': 400.0, 'height': 400.0, 'increment': 1.5,
}
# flags send their first token, to check it, unless a method needs another
# one (or none: None).
SAMPLE_FLAGS = {'restore': 'REPLACE', 'function_load': 'REPLACE', 'function_restore': 'REPLACE',
                'getex': None}   # PERSIST and EX exclude each other

# What each group's keys are created as before the call.
GROUP_TYPE = {
    'string': 'string', 'bitmap': 'string', 'list': 'list', 'hash': 'hash', 'set': 'set',
    'sorted-set': 'zset', 'stream': 'stream', 'geo': 'geo', 'hyperloglog': 'hll',
}
METHOD_TYPE = {'sort': 'list', 'sort_ro': 'list', 'sort_store': 'list'}

# Server commands run before (and after) one method.
SCRIPT_SETUP = [['SCRIPT', 'LOAD', SCRIPT], ['FUNCTION', 'LOAD', 'REPLACE', FUNCTION_CODE]]
SETUP = {
    'object_freq': [['CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu']],
}
TEARDOWN = {
    'object_freq': [['CONFIG', 'SET', 'maxmemory-policy', 'noeviction']],
}
# A binary argument that must be real data: (method, param) -> C expression
# of a GBytes *.
BYTES_EXPR = {
    ('restore', 'payload'): 'dump_of (client, %(key)s)',
    ('function_restore', 'payload'): 'function_dump (client)',
}
# Known bugs of the table, reported and not hidden: the method's error
# code (its nick) and why. While one is listed the run is marked incomplete
# (TAP "# TODO"); when it stops happening the test fails until it is removed.
# Empty this to make them plain failures.
KNOWN_BUGS = {
}
# Methods that would spoil the others' state: run after every other one.
LAST = ('flushall', 'flushdb', 'function_flush', 'script_flush')

# -- C of the generated program -----------------------------------------------

C_HEAD = r'''/* test-typed-commands.c: generated by tests/gen-typed-test.py from
 * dtredis/redis-commands.txt; do not edit, never committed.
 *
 * Every typed sync method (text and _bytes twin) once against a private
 * redis-server, then the async pair of a sample of them. A call succeeds
 * or is refused by the server (DT_REDIS_ERROR_SERVER); any other error
 * fails the test.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include <dtredis.h>
#include <math.h>
#include <string.h>

#include "dtredis-test-server.h"

static DtTestServer *server;

/* Runs one command on the server, outside the library. */
static void
server_run (const char * const *argv)
{
  g_autofree char *reply = dt_test_server_commandv (server, argv);

  g_assert_nonnull (reply);
  if (reply[0] == '-')
    g_error ("setup %s: %s", argv[0], reply);
}

/* Creates @key afresh, holding a small value of @type. */
static void
create_key (const char *type,
            const char *key)
{
  const char * const del[] = { "DEL", key, NULL };

  server_run (del);
  if (strcmp (type, "string") == 0)
    server_run ((const char * const []) { "SET", key, "1", NULL });
  else if (strcmp (type, "list") == 0)
    server_run ((const char * const []) { "RPUSH", key, "1", "2", "3", NULL });
  else if (strcmp (type, "hash") == 0)
    server_run ((const char * const []) { "HSET", key, "field", "1", "f2", "2", NULL });
  else if (strcmp (type, "set") == 0)
    server_run ((const char * const []) { "SADD", key, "1", "2", "3", NULL });
  else if (strcmp (type, "zset") == 0)
    server_run ((const char * const []) { "ZADD", key, "1", "1", "2", "2", "3", "3", NULL });
  else if (strcmp (type, "stream") == 0)
    server_run ((const char * const []) { "XADD", key, "1-1", "field", "1", NULL });
  else if (strcmp (type, "stream+group") == 0)
    {
      server_run ((const char * const []) { "XADD", key, "1-1", "field", "1", NULL });
      server_run ((const char * const []) { "XGROUP", "CREATE", key, "group", "0", NULL });
    }
  else if (strcmp (type, "geo") == 0)
    server_run ((const char * const []) { "GEOADD", key, "13.361389", "38.115556", "1",
                                          "15.087269", "37.502669", "2", NULL });
  else if (strcmp (type, "hll") == 0)
    server_run ((const char * const []) { "PFADD", key, "a", "b", NULL });
  else
    g_assert_not_reached ();
}

static GBytes *
sample_bytes (const char *text)
{
  return g_bytes_new (text, strlen (text));
}

/* The DUMP of @key, for RESTORE (empty when DUMP fails: the server then
 * refuses the RESTORE, which the report shows). */
static GBytes *
dump_of (DtRedisClient *client,
         const char    *key)
{
  GBytes *dump = dt_redis_client_dump (client, key, NULL, NULL);

  return dump != NULL ? dump : g_bytes_new (NULL, 0);
}

static GBytes *
function_dump (DtRedisClient *client)
{
  GBytes *dump = dt_redis_client_function_dump (client, NULL, NULL);

  return dump != NULL ? dump : g_bytes_new (NULL, 0);
}

/* An error that is not the server's answer, or a result that does not fit
 * the outcome, is the test's business: it goes to @wrong. */
typedef struct
{
  guint      total;
  guint      succeeded;
  GPtrArray *refused;   /* "method: message" */
  GPtrArray *wrong;     /* likewise */
  GPtrArray *known;     /* the known bugs seen */
} Tally;

static void
tally_init (Tally *tally)
{
  memset (tally, 0, sizeof *tally);
  tally->refused = g_ptr_array_new_with_free_func (g_free);
  tally->wrong = g_ptr_array_new_with_free_func (g_free);
  tally->known = g_ptr_array_new_with_free_func (g_free);
}

static void
tally_clear (Tally *tally)
{
  g_clear_pointer (&tally->refused, g_ptr_array_unref);
  g_clear_pointer (&tally->wrong, g_ptr_array_unref);
  g_clear_pointer (&tally->known, g_ptr_array_unref);
}

static char *
error_code_nick (const GError *error)
{
  GEnumClass *klass = g_type_class_ref (DT_REDIS_TYPE_ERROR);
  GEnumValue *value = error->domain == DT_REDIS_ERROR ? g_enum_get_value (klass, error->code) : NULL;
  char *nick = value != NULL ? g_strdup (value->value_nick)
                             : g_strdup_printf ("%s %d", g_quark_to_string (error->domain), error->code);

  g_type_class_unref (klass);
  return nick;
}

/* @null_result: whether the method returned its error value (NULL, 0...);
 * @must_have_result: a pointer result that success may not leave NULL;
 * @known_code, @known_why: a known bug of the method (KNOWN_BUGS), or NULL. */
static void
tally_add (Tally      *tally,
           const char *name,
           GError     *error,
           gboolean    null_result,
           gboolean    must_have_result,
           const char *known_code,
           const char *known_why)
{
  g_autofree char *code = error != NULL ? error_code_nick (error) : NULL;

  tally->total++;
  if (known_code != NULL)
    {
      if (code != NULL && strcmp (code, known_code) == 0)
        g_ptr_array_add (tally->known, g_strdup_printf ("%s: %s: %s (known: %s)", name, code,
                                                        error->message, known_why));
      else
        g_ptr_array_add (tally->wrong, g_strdup_printf ("%s: the known bug (%s) did not happen (%s): "
                                                        "update KNOWN_BUGS in tests/gen-typed-test.py",
                                                        name, known_code, code ? code : "success"));
    }
  else if (error == NULL)
    {
      if (must_have_result && null_result)
        g_ptr_array_add (tally->wrong, g_strdup_printf ("%s: success with a NULL result", name));
      else
        tally->succeeded++;
    }
  else if (error->domain == DT_REDIS_ERROR && error->code == DT_REDIS_ERROR_SERVER)
    {
      g_ptr_array_add (tally->refused, g_strdup_printf ("%s: %s", name, error->message));
      if (!null_result)
        g_ptr_array_add (tally->wrong, g_strdup_printf ("%s: an error and a result", name));
    }
  else
    g_ptr_array_add (tally->wrong, g_strdup_printf ("%s: %s: %s", name, code, error->message));
}

static void
tally_check (Tally      *tally,
             const char *what,
             guint       min_percent)
{
  g_test_message ("%s: %u of %u methods succeeded (%.1f%%), %u refused by the server, "
                  "%u known bugs, %u wrong",
                  what, tally->succeeded, tally->total,
                  tally->total ? 100.0 * tally->succeeded / tally->total : 0.0,
                  tally->refused->len, tally->known->len, tally->wrong->len);
  for (guint i = 0; i < tally->refused->len; i++)
    g_test_message ("refused: %s", (const char *) g_ptr_array_index (tally->refused, i));
  for (guint i = 0; i < tally->known->len; i++)
    g_test_message ("KNOWN BUG: %s", (const char *) g_ptr_array_index (tally->known, i));
  for (guint i = 0; i < tally->wrong->len; i++)
    g_test_message ("WRONG: %s", (const char *) g_ptr_array_index (tally->wrong, i));
  g_assert_cmpuint (tally->wrong->len, ==, 0);
  g_assert_cmpuint (tally->succeeded * 100, >=, min_percent * tally->total);
  if (tally->known->len > 0)
    g_test_incomplete_printf ("%u known bugs of the command table (see KNOWN BUG above)", tally->known->len);
}

typedef struct
{
  GMainLoop    *loop;
  GAsyncResult *result;
} AsyncWait;

static void
async_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncWait *wait = user_data;

  g_assert_null (wait->result);
  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static void
async_wait_init (AsyncWait *wait)
{
  wait->loop = g_main_loop_new (NULL, FALSE);
  wait->result = NULL;
}

static GAsyncResult *
async_wait_run (AsyncWait *wait)
{
  if (wait->result == NULL)
    g_main_loop_run (wait->loop);
  return wait->result;
}

static void
async_wait_clear (AsyncWait *wait)
{
  g_clear_object (&wait->result);
  g_clear_pointer (&wait->loop, g_main_loop_unref);
}

static DtRedisInstance *
new_instance (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(DtRedisConfig) config = dt_redis_config_new_from_url (dt_test_server_get_url (server), &error);

  g_assert_no_error (error);
  dt_redis_config_set_redis_socket_timeout (config, 10.0 * dt_test_time_scale ());
  return dt_redis_instance_new (config);
}
'''

C_TAIL = r'''
static void
test_sync (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisClient) client = dt_redis_instance_get_redis_client (instance);
  Tally tally;

  tally_init (&tally);
  for (guint i = 0; i < G_N_ELEMENTS (sync_cases); i++)
    sync_cases[i].run (client, &tally);
  tally_check (&tally, "sync", MIN_SUCCESS);
  tally_clear (&tally);
}

static void
test_async (void)
{
  g_autoptr(DtRedisInstance) instance = new_instance ();
  g_autoptr(DtRedisAsyncClient) client = dt_redis_instance_get_async_redis_client (instance);
  /* Only a few; the sync pass gets the key for dump_of (). */
  g_autoptr(DtRedisClient) sync_client = dt_redis_instance_get_redis_client (instance);
  Tally tally;

  tally_init (&tally);
  for (guint i = 0; i < G_N_ELEMENTS (async_cases); i++)
    async_cases[i].run (client, sync_client, &tally);
  tally_check (&tally, "async", MIN_SUCCESS);
  tally_clear (&tally);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  server = dt_test_server_start (NULL);

  g_test_add_func ("/typed-commands/sync", test_sync);
  g_test_add_func ("/typed-commands/async", test_async);

  ret = g_test_run ();

  dt_test_server_free (server);
  return ret;
}
'''

# reply -> (free function, must a success return non-NULL)
POINTER_REPLY = {
    'text': ('g_free', False), 'text?': ('g_free', False),
    'texts': ('g_strfreev', True), 'texts?': ('g_ptr_array_unref', True),
    'ints': ('g_array_unref', True), 'hash': ('g_hash_table_unref', True),
    'scored': ('g_ptr_array_unref', True), 'reply': ('dt_redis_reply_unref', True),
    'bytes': ('g_bytes_unref', True), 'bytes?': ('g_bytes_unref', False),
}
TWIN_FREE = {'text': 'g_bytes_unref', 'text?': 'g_bytes_unref', 'texts': 'g_ptr_array_unref'}
SCALAR_REPLY = {'ok': 'gboolean', 'ok?': 'gboolean', 'bool': 'gboolean', 'int': 'gint64',
                'int?': 'gint64', 'double': 'gdouble', 'double?': 'gdouble'}
RESULT_TYPE = {'text': 'char *', 'text?': 'char *', 'texts': 'char **', 'texts?': 'GPtrArray *',
               'ints': 'GArray *', 'hash': 'GHashTable *', 'scored': 'GPtrArray *',
               'reply': 'DtRedisReply *', 'bytes': 'GBytes *', 'bytes?': 'GBytes *'}
TWIN_TYPE = {'text': 'GBytes *', 'text?': 'GBytes *', 'texts': 'GPtrArray *'}


def c_string(text):
    return '"%s"' % text.replace('\\', '\\\\').replace('"', '\\"').replace('\n', '\\n')


def snake(name):
    return re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()


def flag_constant(type_name, token):
    return 'DT_REDIS_%s_%s' % (snake(type_name).upper(), re.sub(r'[^A-Z0-9]', '_', token.upper()))


def header_methods(path, prefix, suffix):
    """{name: [parameter names]} of the functions @path declares."""
    with open(path, encoding='utf-8') as f:
        text = f.read()
    out = {}
    for match in re.finditer(r'\n%s([a-z0-9_]+)%s \(([^;]*?)\);' % (prefix, suffix), text):
        names = [re.sub(r'[^A-Za-z0-9_].*$', '', p.split()[-1].lstrip('*')) for p in match.group(2).split(',')]
        out[match.group(1)] = names
    return out


def sample_str(m, p):
    name = p['name']
    for table in (SAMPLE_STR_METHOD.get(m['name'], {}), LEX if 'lex' in m['name'] else {},
                  SAMPLE_STR_GROUP.get(m['group'], {}), SAMPLE_STR):
        if name in table:
            return table[name]
    return None


def unknown(m, p, fallback):
    """A parameter with no sample: a plain one, and a word at build time (the
    server may refuse it, which the test then lists)."""
    print('gen-typed-test.py: warning: no sample for %s:%s of %s, using %s; add one'
          % (p['kind'], p['name'], m['name'], fallback), file=sys.stderr)
    return fallback


class Call:
    """The C of one call of a method: declarations, arguments, keys to create."""

    def __init__(self, m, twin, key_prefix):
        self.m = m
        self.twin = twin
        self.decls = []
        self.args = []
        self.keys = []          # C names of key variables to create
        self.key_decls = []
        self.late = []          # assignments after setup()
        self.inits = []         # statements after the declarations
        self.names = []         # parameter names, as the header has them
        base = key_prefix + m['name'] + ('_bytes' if twin else '')
        self.base = base
        for p in m['params']:
            self.param(p)

    def new_key(self):
        n = len(self.keys)
        var = 'key_%d' % n
        self.key_decls.append('  const char *%s = "%s%s";' % (var, self.base, '' if n == 0 else ':%d' % (n + 1)))
        self.keys.append(var)
        return var

    def param(self, p):
        k = p['kind']
        m = self.m
        var = 'p_' + p.get('name', '')
        if k in ('literal', 'numkeys'):
            return
        self.names.append(p['name'])
        if k == 'text':
            if p['role'] == 'key':
                if p['many']:
                    a, b = self.new_key(), self.new_key()
                    self.decls.append('  const char *%s[] = { %s, %s, NULL };' % (var, a, b))
                    self.args.append(var)
                else:
                    self.args.append(self.new_key())
            else:   # field
                if p['many']:
                    self.decls.append('  const char *%s[] = { "field", "f2", NULL };' % var)
                    self.args.append(var)
                else:
                    self.args.append('"field"')
        elif k == 'value':
            samples = ['1', '2'] if p['many'] else (['2'] if p['name'].endswith('2') and p['role'] == 'member' else ['1'])
            if not self.twin:
                if p['many']:
                    self.decls.append('  const char *%s[] = { %s, NULL };' % (var, ', '.join('"%s"' % s for s in samples)))
                    self.args.append(var)
                else:
                    self.args.append('"%s"' % samples[0])
            else:
                self.names.pop()
                if p['many']:
                    for i, s in enumerate(samples):
                        self.decls.append('  g_autoptr(GBytes) %s_%d = sample_bytes ("%s");' % (var, i, s))
                    self.decls.append('  GBytes *%s[] = { %s };' % (var, ', '.join('%s_%d' % (var, i) for i in range(len(samples)))))
                    self.args += [var, str(len(samples))]
                    self.names += [p['name'], 'n_' + p['name']]
                else:
                    expr = BYTES_EXPR.get((m['name'], p['name']))
                    if expr:    # real data, read once the keys exist
                        self.decls.append('  g_autoptr(GBytes) %s = NULL;' % var)
                        self.late.append('  %s = %s;' % (var, expr % {'key': self.keys[0] if self.keys else 'NULL'}))
                    else:
                        self.decls.append('  g_autoptr(GBytes) %s = sample_bytes ("%s");' % (var, samples[0]))
                    self.args.append(var)
                    self.names.append(p['name'])
        elif k == 'bytes':
            var = p['name']
            expr = BYTES_EXPR.get((m['name'], p['name']))
            self.decls.append('  g_autoptr(GBytes) %s = NULL;' % var)
            if expr:    # real data, read once the keys exist
                self.late.append('  %s = %s;' % (var, expr % {'key': self.keys[0] if self.keys else 'NULL'}))
            else:
                self.inits.append('  %s = sample_bytes ("1");' % var)
            self.args.append(var)
        elif k == 'mapping':
            if m['name'].startswith('config_'):
                pairs = [('"maxmemory"', '0')]
            elif m['name'] in ('mset', 'msetnx'):
                pairs = [(self.new_key(), '1')]
            else:
                pairs = [('"field"', '1'), ('"f2"', '2')]
            if self.twin:
                self.decls.append('  g_autoptr(GHashTable) %s = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, '
                                  '(GDestroyNotify) g_bytes_unref);' % var)
            else:
                self.decls.append('  g_autoptr(GHashTable) %s = g_hash_table_new (g_str_hash, g_str_equal);' % var)
            for f, v in pairs:
                value = 'sample_bytes ("%s")' % v if self.twin else '(gpointer) "%s"' % v
                self.inits.append('  g_hash_table_insert (%s, (gpointer) %s, %s);' % (var, f, value))
            self.args.append(var)
        elif k == 'scored':
            self.decls.append('  g_autoptr(GPtrArray) %s = g_ptr_array_new_with_free_func '
                              '((GDestroyNotify) dt_redis_scored_member_free);' % var)
            for s in ('1', '2'):
                self.inits.append('  g_ptr_array_add (%s, dt_redis_scored_member_new ("%s", %s));' % (var, s, s))
            self.args += ['(DtRedisScoredMember * const *) %s->pdata' % var, '%s->len' % var]
            self.names.append('n_' + p['name'])
        elif k in ('str', 'str?'):
            v = sample_str(m, p)
            if v is None and k == 'str':
                v = unknown(m, p, '1')
            self.args.append('NULL' if v is None else c_string(v))
        elif k == 'int':
            self.args.append('G_GINT64_CONSTANT (%d)' % SAMPLE_INT.get(p['name']) if p['name'] in SAMPLE_INT
                             else unknown(m, p, 'G_GINT64_CONSTANT (1)'))
        elif k == 'int?':
            self.args.append('G_GINT64_CONSTANT (%d)' % SAMPLE_OPT_INT.get(p['name'], -1))
        elif k == 'int0?':
            self.args.append('G_GINT64_CONSTANT (%d)' % SAMPLE_OPT_INT0.get(p['name'], 0))
        elif k == 'double':
            self.args.append(repr(SAMPLE_DOUBLE[p['name']]) if p['name'] in SAMPLE_DOUBLE
                             else unknown(m, p, '1.0'))
        elif k == 'flags':
            token = SAMPLE_FLAGS.get(m['name'], p['tokens'][0])
            if token is not None and token not in p['tokens']:
                sys.exit('gen-typed-test.py: %s has no flag %s' % (m['name'], token))
            self.args.append(flag_constant(p['type'], token) if token else '0')
        else:
            sys.exit('gen-typed-test.py: unknown parameter kind %s' % k)

    def setup(self):
        m = self.m
        out = []
        key_type = METHOD_TYPE.get(m['name'], GROUP_TYPE.get(m['group'], 'string'))
        if key_type == 'stream' and m['name'] != 'xgroup_create':
            key_type = 'stream+group'
        for var in self.keys:
            out.append('  create_key ("%s", %s);' % (key_type, var))
        commands = (SCRIPT_SETUP if m['group'] == 'scripting' else []) + SETUP.get(m['name'], [])
        for argv in commands:
            out.append('  server_run ((const char * const []) { %s, NULL });' % ', '.join(c_string(a) for a in argv))
        return self.inits + out + self.late

    def teardown(self):
        return ['  server_run ((const char * const []) { %s, NULL });' % ', '.join(c_string(a) for a in argv)
                for argv in TEARDOWN.get(self.m['name'], [])]


def result_c(m, twin):
    """(C type, free function or None, must-have-result)"""
    r = m['reply']
    if r in SCALAR_REPLY:
        return SCALAR_REPLY[r], None, False
    if twin and r in TWIN_TYPE:
        return TWIN_TYPE[r], TWIN_FREE[r], POINTER_REPLY[r][1]
    return RESULT_TYPE[r], POINTER_REPLY[r][0], POINTER_REPLY[r][1]


def null_test(m, twin):
    ctype, free, _ = result_c(m, twin)
    if free:
        return 'result == NULL'
    if ctype == 'gdouble':
        # double? answers NAN for nil, double 0.0 on error
        return 'result == 0.0' if m['reply'] == 'double' else '(result == 0.0 || isnan (result))'
    return '!result' if ctype == 'gboolean' else 'result == 0'


def known_args(name):
    if name not in KNOWN_BUGS:
        return 'NULL, NULL'
    code, why = KNOWN_BUGS[name]
    return '%s, %s' % (c_string(code), c_string(why))


def emit_sync(m, twin):
    name = m['name'] + ('_bytes' if twin else '')
    call = Call(m, twin, 'typed:')
    ctype, free, must = result_c(m, twin)
    out = ['', 'static void', 'sync_%s (DtRedisClient *client,' % name,
           '%*sTally         *tally)' % (len('sync_%s (' % name), ''), '{']
    out += call.key_decls + call.decls
    out.append('  g_autoptr(GError) error = NULL;')
    out.append('  %s%sresult;' % (ctype, '' if ctype.endswith('*') else ' '))
    out.append('')
    out += call.setup()
    out.append('  result = dt_redis_client_%s (client, %s);'
               % (name, ', '.join(call.args + ['NULL', '&error'])))
    out.append('  tally_add (tally, "%s", error, %s, %s, %s);' % (name, null_test(m, twin), 'TRUE' if must else 'FALSE',
                                                            known_args(name)))
    if free:
        out.append('  g_clear_pointer (&result, %s);' % free)
    else:
        out.append('  (void) result;')
    out += call.teardown()
    out.append('}')
    return out, call


def emit_async(m, twin):
    name = m['name'] + ('_bytes' if twin else '')
    call = Call(m, twin, 'typed:async:')
    ctype, free, must = result_c(m, twin)
    out = ['', 'static void', 'async_%s (DtRedisAsyncClient *async_client,' % name,
           '%*sDtRedisClient      *client,' % (len('async_%s (' % name), ''),
           '%*sTally              *tally)' % (len('async_%s (' % name), ''), '{']
    out += call.key_decls + call.decls
    out.append('  g_autoptr(GError) error = NULL;')
    out.append('  AsyncWait wait;')
    out.append('  %s%sresult;' % (ctype, '' if ctype.endswith('*') else ' '))
    out.append('')
    out.append('  (void) client;')
    out += call.setup()
    out.append('  async_wait_init (&wait);')
    out.append('  dt_redis_async_client_%s_async (async_client, %s);'
               % (name, ', '.join(call.args + ['NULL', 'async_done_cb', '&wait'])))
    out.append('  result = dt_redis_async_client_%s_finish (async_client, async_wait_run (&wait), &error);' % name)
    out.append('  async_wait_clear (&wait);')
    out.append('  tally_add (tally, "%s_async", error, %s, %s, %s);' % (name, null_test(m, twin), 'TRUE' if must else 'FALSE',
                                                                  known_args(name)))
    if free:
        out.append('  g_clear_pointer (&result, %s);' % free)
    else:
        out.append('  (void) result;')
    out += call.teardown()
    out.append('}')
    return out, call


def check_params(kind, name, call, declared):
    expected = call.names
    got = declared[1:-2] if kind == 'sync' else declared[1:-3]
    if got != expected:
        sys.exit('gen-typed-test.py: %s method %s: the table gives parameters %s, the generated header %s'
                 % (kind, name, expected, got))


def main():
    if len(sys.argv) != 5:
        sys.exit('usage: gen-typed-test.py TABLE CLIENT_COMMANDS_H ASYNC_COMMANDS_H OUTPUT_C')
    table, sync_h, async_h, output = sys.argv[1:]
    sync_decl = header_methods(sync_h, 'dt_redis_client_', '')
    async_decl = header_methods(async_h, 'dt_redis_async_client_', '_async')

    methods = []
    for c in parse(table):
        for m in c['typed']:
            m['group'] = c['group']
            methods.append(m)
    methods = with_short_forms(methods)

    body = []
    sync_names = []
    last_names = []
    shapes = {}
    async_names = []
    covered = set()
    for m in methods:
        for twin in ([False, True] if m['twin'] else [False]):
            name = m['name'] + ('_bytes' if twin else '')
            if name not in sync_decl:
                continue    # hand-written: not generated
            covered.add(name)
            lines, call = emit_sync(m, twin)
            check_params('sync', name, call, sync_decl[name])
            body += lines
            (last_names if m['name'] in LAST else sync_names).append(name)
            if name in async_decl and m['name'] not in LAST:
                shape = shapes.setdefault((m['reply'], twin), [])
                if len(shape) < ASYNC_PER_SHAPE:
                    shape.append(name)
                    lines, call = emit_async(m, twin)
                    check_params('async', name, call, async_decl[name])
                    body += lines
                    async_names.append(name)
    missing = sorted(set(sync_decl) - covered)
    if missing:
        sys.exit('gen-typed-test.py: the generated header declares methods the table does not give: %s'
                 % ', '.join(missing))
    if len(async_names) < 20:
        sys.exit('gen-typed-test.py: only %d async methods sampled' % len(async_names))

    with open(output, 'w', encoding='utf-8') as f:
        f.write(C_HEAD)
        f.write('\n#define MIN_SUCCESS %d\n' % MIN_SUCCESS)
        f.write('\n'.join(body) + '\n')
        f.write('\n/* Every generated sync method; the ones that flush run last. */\n')
        f.write('static const struct\n{\n  void (*run) (DtRedisClient *client, Tally *tally);\n} sync_cases[] = {\n')
        for name in sync_names + last_names:
            f.write('  { sync_%s },\n' % name)
        f.write('};\n')
        f.write('\n/* The async pairs of %d methods: up to %d of each reply shape. */\n'
                % (len(async_names), ASYNC_PER_SHAPE))
        f.write('static const struct\n{\n  void (*run) (DtRedisAsyncClient *async_client, DtRedisClient *client,'
                ' Tally *tally);\n} async_cases[] = {\n')
        for name in async_names:
            f.write('  { async_%s },\n' % name)
        f.write('};\n')
        f.write(C_TAIL)


if __name__ == '__main__':
    main()
