# SPDX-License-Identifier: LGPL-2.1-or-later
"""The redis-py server and connection methods the table cannot generate.

redis-commands.txt marks each of them "py> hand NAME(PARAMS)": redis-py
checks or builds their arguments; or the command is flagged "stateful"
and its documentation says that its state does not outlive it on a
pooled client; or redis-py raises NotImplementedError; or redis-py gives
an object that owns a connection (pubsub(), monitor(), client()), which
comes from its own module.  Like the generated methods, the command
methods return self._execute(argv, callback).
"""

import inspect
import warnings

from . import convert as _c
from .exceptions import ConnectionError, DataError, RedisError

# The methods redis-py's asyncio client defines as coroutines although
# they send nothing first (or check their arguments first): the asyncio
# clients run them when awaited, so that they raise (or warn) then.
COROUTINES = frozenset(('command_info', 'debug_segfault', 'memory_doctor', 'memory_help', 'script_debug',
                        'shutdown', 'unwatch', 'watch'))

# CLIENT KILL TYPE's values, as redis-py checks them.
_CLIENT_KILL_TYPES = ('normal', 'master', 'slave', 'pubsub')


def _intentionally(command, url=None):
    """redis-py's message for a command it intentionally does not implement
    (with @url, in the indented form of MEMORY DOCTOR and MEMORY HELP)."""
    text = '%s is intentionally not implemented in the client.' % command
    if url is None:
        return text
    indent = '\n            '
    return '%s%s\n%sFor more information see %s%s' % (indent, text, indent, url, indent)


def _encoded(value):
    """An argument as the bytes sent (redis-py's encoding and checks)."""
    from .core import _encode  # core imports this module: not at its import
    return _encode(value)


def _prefixed(value, what, index=None):
    """An ACL rule argument as bytes, checked for its + or - prefix."""
    value = _encoded(value)
    if not value.startswith((b'+', b'-')):
        if index is None:
            raise DataError('%s "%s" must be prefixed with "+" or "-"'
                            % (what, value.decode()))
        raise DataError('%s %d must be prefixed with a "+" to add or a "-" to remove'
                        % (what, index))
    return value


def _key_pattern(value):
    """An ACL key pattern as bytes: ~ added unless it starts with ~ or %."""
    value = _encoded(value)
    return value if value.startswith((b'%', b'~')) else b'~' + value


def _shutdown_failed(_response):
    """SHUTDOWN got a reply: the server is still up."""
    raise RedisError('SHUTDOWN seems to have failed.')


async def _shutdown_awaited(result):
    try:
        return await result
    except ConnectionError:  # the server closed the connection: it is going down
        return None


class HandServerCommands:
    """redis-py's server, ACL and connection methods written by hand."""

    # server

    def client_kill_filter(self, _id=None, _type=None, addr=None, skipme=None, laddr=None,
                           user=None, **kwargs):
        """CLIENT KILL [TYPE t] [SKIPME YES|NO] [ID id] [ADDR a] [LADDR a]
        [USER u]: how many clients were killed.  At least one filter is
        required; @_type is one of normal, master, slave, pubsub."""
        pieces = ['CLIENT', 'KILL']
        if _type is not None:
            if str(_type).lower() not in _CLIENT_KILL_TYPES:
                raise DataError('CLIENT KILL type must be one of %r' % (_CLIENT_KILL_TYPES,))
            pieces += ('TYPE', _type)
        if skipme is not None:
            if not isinstance(skipme, bool):
                raise DataError('CLIENT KILL skipme must be a bool')
            pieces += ('SKIPME', 'YES' if skipme else 'NO')
        for word, value in (('ID', _id), ('ADDR', addr), ('LADDR', laddr), ('USER', user)):
            if value is not None:
                pieces += (word, value)
        if len(pieces) == 2:
            raise DataError('CLIENT KILL <filter> <value> ... ... <filter> <value> must '
                            'specify at least one filter')
        return self._execute(pieces, _c.client_kill)

    def client_list(self, _type=None, client_id=[], **kwargs):  # noqa: B006 - redis-py's
        """CLIENT LIST: a list of dicts, one per connected client."""
        pieces = ['CLIENT', 'LIST']
        if _type is not None:
            types = ('normal', 'master', 'replica', 'pubsub')
            if str(_type).lower() not in types:
                raise DataError('CLIENT LIST _type must be one of %r' % (types,))
            pieces += ('TYPE', _type)
        if not isinstance(client_id, list):
            raise DataError('client_id must be a list')
        if client_id:
            pieces += ('ID', ' '.join(str(i) for i in client_id))
        return self._execute(pieces, _c.client_list)

    def script_flush(self, sync_type=None):
        """SCRIPT FLUSH [SYNC|ASYNC]: True."""
        if sync_type not in ('SYNC', 'ASYNC', None):
            raise DataError('SCRIPT FLUSH defaults to SYNC in redis > 6.2, or '
                            'accepts SYNC/ASYNC. For older versions, of redis leave '
                            'as None.')
        pieces = ['SCRIPT', 'FLUSH'] + ([sync_type] if sync_type else [])
        return self._execute(pieces, _c.bool_ok)

    # ACL

    def acl_cat(self, category=None, **kwargs):
        """ACL CAT [category]: the categories, or the commands of one, as str."""
        pieces = ['ACL', 'CAT'] + ([category] if category else [])
        return self._execute(pieces, _c.strs)

    def acl_genpass(self, bits=None, **kwargs):
        """ACL GENPASS [bits]: a random password, as str (hex digits).

        redis-py 4.3.4 checks @bits but never sends it (always 256 bits);
        this sends it, as its documentation says and later redis-py does.
        """
        pieces = ['ACL', 'GENPASS']
        if bits is not None:
            try:
                number = int(bits)
                if not 0 <= number <= 4096:
                    raise ValueError(bits)
            except ValueError:
                raise DataError('genpass optionally accepts a bits argument, '
                                'between 0 and 4096.') from None
            pieces.append(number)
        return self._execute(pieces, _c.str_if_bytes)

    def acl_log(self, count=None, **kwargs):
        """ACL LOG [count]: the latest security events, a dict each."""
        pieces = ['ACL', 'LOG']
        if count is not None:
            if not isinstance(count, int):
                raise DataError('ACL LOG count must be an integer')
            pieces.append(count)
        return self._execute(pieces, _c.acl_log)

    def acl_setuser(self, username, enabled=False, nopass=False, passwords=None,
                    hashed_passwords=None, categories=None, commands=None, keys=None,
                    channels=None, selectors=None, reset=False, reset_keys=False,
                    reset_passwords=False, **kwargs):
        """ACL SETUSER: creates or updates @username with these rules; True.

        Passwords (plain or SHA-256 hashed; one, or a list) and categories
        are prefixed "+" to add, "-" to remove; commands too; key patterns
        get "~" unless they start with "~" or "%"; selectors are (command
        rule, key pattern) pairs.
        """
        pieces = ['ACL', 'SETUSER', username]
        for flag, rule in ((reset, b'reset'), (reset_keys, b'resetkeys'),
                           (reset_passwords, b'resetpass')):
            if flag:
                pieces.append(rule)
        pieces.append(b'on' if enabled else b'off')
        if nopass and (passwords or hashed_passwords):
            raise DataError("Cannot set 'nopass' and supply 'passwords' or "
                            "'hashed_passwords'")
        for values, what, add, remove in ((passwords, 'Password', b'>', b'<'),
                                          (hashed_passwords, 'Hashed password', b'#', b'!')):
            if values:
                for index, value in enumerate(_c.list_or_args(values, [])):
                    value = _prefixed(value, what, index)
                    pieces.append((add if value[:1] == b'+' else remove) + value[1:])
        if nopass:
            pieces.append(b'nopass')
        for category in categories or ():
            category = _prefixed(category, 'Category')
            if category[1:2] != b'@':
                category = category[:1] + b'@' + category[1:]
            pieces.append(category)
        for rule in commands or ():
            pieces.append(_prefixed(rule, 'Command'))
        for key in keys or ():
            pieces.append(_key_pattern(key))
        for channel in channels or ():
            pieces.append(b'&' + _encoded(channel))
        for rule, key in selectors or ():
            pieces.append(b'(' + _prefixed(rule, 'Command') + b' ' + _key_pattern(key) + b')')
        return self._execute(pieces, _c.bool_ok)

    # connection state: these commands are flagged "stateful" in the table

    def auth(self, password, username=None, **kwargs):
        """AUTH [username] password: True.

        On a pooled client AUTH runs on a connection of its own, closed
        afterwards, so the login does not outlive the command: give the
        credentials to DtRedis.Config (set_redis_username(),
        set_redis_password()) instead.
        """
        pieces = ['AUTH'] + ([username] if username is not None else []) + [password]
        return self._execute(pieces, _c.to_bool)

    def select(self, index, **kwargs):
        """SELECT index: True.

        On a pooled client SELECT runs on a connection of its own, closed
        afterwards, so the selection does not outlive the command: choose
        the database with DtRedis.Config.set_redis_db() instead.
        """
        return self._execute(['SELECT', index], _c.bool_ok)

    def quit(self, **kwargs):
        """QUIT: True.

        On a pooled client QUIT closes only the connection of its own it
        runs on, so the client stays usable: close() ends the client.
        """
        return self._execute(['QUIT'], _c.bool_ok)

    def reset(self):
        """RESET: 'RESET'.

        On a pooled client RESET runs on a connection of its own, closed
        afterwards, so it resets nothing later commands see (they never
        inherit a connection's state): there is nothing to reset.
        """
        return self._execute(['RESET'], _c.str_if_bytes)

    def readonly(self, **kwargs):
        """READONLY: True (an error outside a cluster).

        On a pooled client READONLY runs on a connection of its own, closed
        afterwards, so the mode does not outlive the command: dtredis has
        no cluster client to use it with.
        """
        return self._execute(['READONLY'], _c.bool_ok)

    def readwrite(self, **kwargs):
        """READWRITE: True (an error outside a cluster).

        On a pooled client READWRITE runs on a connection of its own, closed
        afterwards, so the mode does not outlive the command: dtredis has
        no cluster client to use it with.
        """
        return self._execute(['READWRITE'], _c.bool_ok)

    def client_setname(self, name, **kwargs):
        """CLIENT SETNAME name: True.

        On a pooled client the command runs on a connection of its own,
        closed afterwards, so the name does not outlive it: give every
        connection its name with DtRedis.Config (set_redis_client_name(),
        client_name= in from_url()) instead.
        """
        return self._execute(['CLIENT', 'SETNAME', name], _c.bool_ok)

    def client_no_evict(self, mode):
        """CLIENT NO-EVICT ON|OFF: b'OK'.

        On a pooled client the command runs on a connection of its own,
        closed afterwards, so the mode does not outlive it: no dtredis
        setting replaces it yet.
        """
        return self._execute(['CLIENT', 'NO-EVICT', mode], _c.raw)

    def client_reply(self, reply, **kwargs):
        """CLIENT REPLY ON|OFF|SKIP: b'OK' for ON.

        On a pooled client the command runs on a connection of its own,
        closed afterwards, so the mode does not outlive it; OFF and SKIP
        silence the command's own reply, so they end in TimeoutError (as
        in redis-py with a socket timeout): for replies you do not wait
        for, send the commands in a pipeline instead.
        """
        replies = ['ON', 'OFF', 'SKIP']
        if reply not in replies:
            raise DataError('CLIENT REPLY must be one of %r' % (replies,))
        return self._execute(['CLIENT', 'REPLY', reply], _c.raw)

    def client_tracking(self, on=True, clientid=None, prefix=[], bcast=False,  # noqa: B006
                        optin=False, optout=False, noloop=False, **kwargs):
        """CLIENT TRACKING ON|OFF [REDIRECT id] [PREFIX p...] [BCAST] [OPTIN]
        [OPTOUT] [NOLOOP]: b'OK'.

        On a pooled client the command runs on a connection of its own,
        closed afterwards, so the tracking does not outlive it: dtredis has
        no client-side cache (nor a subscriber to REDIRECT to) yet.
        """
        if len(prefix) != 0 and bcast is False:
            raise DataError('Prefix can only be used with bcast')
        pieces = ['CLIENT', 'TRACKING', 'ON' if on else 'OFF']
        if clientid is not None:
            pieces += ('REDIRECT', clientid)
        for item in prefix:
            pieces += ('PREFIX', item)
        for flag, word in ((bcast, 'BCAST'), (optin, 'OPTIN'), (optout, 'OPTOUT'),
                           (noloop, 'NOLOOP')):
            if flag:
                pieces.append(word)
        return self._execute(pieces, _c.raw)

    def client_tracking_on(self, clientid=None, prefix=[], bcast=False,  # noqa: B006
                           optin=False, optout=False, noloop=False):
        """client_tracking(True, ...): CLIENT TRACKING ON with the options."""
        return self.client_tracking(True, clientid, prefix, bcast, optin, optout, noloop)

    def client_tracking_off(self, clientid=None, prefix=[], bcast=False,  # noqa: B006
                            optin=False, optout=False, noloop=False):
        """client_tracking(False, ...): CLIENT TRACKING OFF with the options."""
        return self.client_tracking(False, clientid, prefix, bcast, optin, optout, noloop)

    def debug_object(self, key, **kwargs):
        """DEBUG OBJECT key: a dict of what the server says about the value
        ('type', 'refcount', 'encoding', 'serializedlength', 'lru',
        'lru_seconds_idle', ...), the counts as ints.  The server refuses
        DEBUG unless its enable-debug-command allows it."""
        return self._execute(['DEBUG', 'OBJECT', key], _c.debug_object)

    def watch(self, *names):
        """Warns (DeprecationWarning) and returns None, as redis-py's client
        does: it sends nothing.

        WATCH would not outlive the command on a pooled client anyway (it
        would run on a connection of its own, closed afterwards): use
        pipeline().watch() instead, which leases one connection for the
        transaction.
        """
        warnings.warn(DeprecationWarning('Call WATCH from a Pipeline object'))

    def unwatch(self):
        """Warns (DeprecationWarning) and returns None, as redis-py's client
        does: it sends nothing.

        On a pooled client no WATCH outlives its command: use
        pipeline().watch() and the pipeline's unwatch() or reset() instead.
        """
        warnings.warn(DeprecationWarning('Call UNWATCH from a Pipeline object'))

    def sync(self):
        """SYNC: the start of the replication stream (bytes, never decoded).

        On a pooled client SYNC runs on a connection of its own, closed
        afterwards, so the replication does not outlive the command: dtredis
        has no replica client; read the RDB with a tool made for it.
        """
        return self._execute(['SYNC'], _c.binary)

    def psync(self, replicationid, offset):
        """PSYNC replicationid offset: the server's answer (bytes, never
        decoded), e.g. b'FULLRESYNC <id> <offset>'.

        On a pooled client PSYNC runs on a connection of its own, closed
        afterwards, so the replication does not outlive the command: dtredis
        has no replica client.
        """
        return self._execute(['PSYNC', replicationid, offset], _c.binary)

    def monitor(self):
        """redis-py's Monitor (an asyncio one from an asyncio client), on a
        connection of its own; see dtredis.monitor."""
        from .monitor import monitor_for
        return monitor_for(self)

    def pubsub(self, **kwargs):
        """redis-py's PubSub (an asyncio one from an asyncio client), on a
        connection of its own that resubscribes after a reconnect; see
        dtredis.pubsub.  Keyword arguments: ignore_subscribe_messages,
        queue_limit (shard_hint is accepted and unused)."""
        from .pubsub import pubsub_for  # pubsub imports the bridge, which imports core
        return pubsub_for(self, kwargs)

    def client(self):
        """redis-py's single-connection client: the same kind of client
        (sync or asyncio, decoding or not) whose commands all run on one
        kept connection, until close(); see dtredis.single_connection."""
        from .single_connection import single_connection_client_for
        return single_connection_client_for(self)

    # server


    def client_pause(self, timeout, all=True, **kwargs):  # noqa: A002 - redis-py's name
        """CLIENT PAUSE timeout [WRITE]: True; @timeout in milliseconds."""
        if not isinstance(timeout, int):
            raise DataError('CLIENT PAUSE timeout must be an integer')
        pieces = ['CLIENT', 'PAUSE', str(timeout)] + ([] if all else ['WRITE'])
        return self._execute(pieces, _c.bool_ok)

    def client_unblock(self, client_id, error=False, **kwargs):
        """CLIENT UNBLOCK id [ERROR]: whether that client was blocked."""
        pieces = ['CLIENT', 'UNBLOCK', int(client_id)] + (['ERROR'] if error else [])
        return self._execute(pieces, _c.to_bool)

    def cluster(self, cluster_arg, *args, **kwargs):
        """CLUSTER <cluster_arg> args...: converted as redis-py converts
        that subcommand (INFO a dict, NODES a dict per node...)."""
        subcommand = cluster_arg.upper()
        pieces = ['CLUSTER'] + subcommand.split() + list(args)
        return self._execute(pieces, _c.CLUSTER.get(subcommand, _c.raw))

    def command_list(self, module=None, category=None, pattern=None):
        """COMMAND LIST [FILTERBY MODULE m|ACLCAT c|PATTERN p]: command names."""
        filters = []
        for value, word in ((module, 'MODULE'), (category, 'ACLCAT'), (pattern, 'PATTERN')):
            if value is not None:
                filters += (word, value)
        pieces = ['COMMAND', 'LIST'] + (['FILTERBY'] + filters if filters else [])
        return self._execute(pieces, _c.raw)

    def migrate(self, host, port, keys, destination_db, timeout, copy=False,
                replace=False, auth=None, **kwargs):
        """MIGRATE host port "" db timeout [COPY] [REPLACE] [AUTH pw] KEYS k...:
        b'OK', or b'NOKEY' when none of the keys exists."""
        keys = _c.list_or_args(keys, [])
        if not keys:
            raise DataError('MIGRATE requires at least one key')
        pieces = ['MIGRATE', host, port, '', destination_db, timeout]
        if copy:
            pieces.append('COPY')
        if replace:
            pieces.append('REPLACE')
        if auth:
            pieces += ('AUTH', auth)
        pieces.append('KEYS')
        pieces += keys
        return self._execute(pieces, _c.raw)

    def module_loadex(self, path, options=None, args=None):
        """MODULE LOADEX path [CONFIG name value...] [ARGS arg...]: b'OK'."""
        pieces = ['MODULE', 'LOADEX', path]
        if options is not None:
            pieces.append('CONFIG')
            pieces += options
        if args is not None:
            pieces.append('ARGS')
            pieces += args
        return self._execute(pieces, _c.raw)

    def shutdown(self, save=False, nosave=False, now=False, force=False, abort=False,
                 **kwargs):
        """SHUTDOWN [SAVE|NOSAVE] [NOW] [FORCE] [ABORT]: None once the server
        closed the connection; RedisError if it answered instead."""
        if save and nosave:
            raise DataError('SHUTDOWN save and nosave cannot both be set')
        pieces = ['SHUTDOWN']
        for flag, word in ((save, 'SAVE'), (nosave, 'NOSAVE'), (now, 'NOW'),
                           (force, 'FORCE'), (abort, 'ABORT')):
            if flag:
                pieces.append(word)
        try:
            result = self._execute(pieces, _shutdown_failed)
        except ConnectionError:  # the server closed the connection: it is going down
            return None
        if inspect.isawaitable(result):
            return _shutdown_awaited(result)
        return result

    def slaveof(self, host=None, port=None, **kwargs):
        """SLAVEOF host port, or SLAVEOF NO ONE without them: True."""
        if host is None and port is None:
            return self._execute(['SLAVEOF', b'NO', b'ONE'], _c.bool_ok)
        return self._execute(['SLAVEOF', host, port], _c.bool_ok)

    # what redis-py intentionally does not implement

    def command_docs(self, *args):
        """Raises NotImplementedError, as redis-py does."""
        raise NotImplementedError(_intentionally('COMMAND DOCS'))

    def command_info(self, **kwargs):
        """Raises NotImplementedError, as redis-py does."""
        raise NotImplementedError(_intentionally('COMMAND INFO'))

    def debug_segfault(self, **kwargs):
        """Raises NotImplementedError, as redis-py does."""
        raise NotImplementedError(_intentionally(
            'DEBUG SEGFAULT', 'https://redis.io/commands/debug-segfault'))

    def failover(self):
        """Raises NotImplementedError, as redis-py does."""
        raise NotImplementedError(_intentionally('FAILOVER'))

    def hello(self):
        """Raises NotImplementedError, as redis-py does (HELLO would change
        the protocol of a connection of its own, closed afterwards)."""
        raise NotImplementedError(_intentionally('HELLO'))

    def latency_histogram(self, *args):
        """Raises NotImplementedError, as redis-py does."""
        raise NotImplementedError(_intentionally('LATENCY HISTOGRAM'))

    def memory_doctor(self, **kwargs):
        """Raises NotImplementedError, as redis-py does."""
        raise NotImplementedError(_intentionally(
            'MEMORY DOCTOR', 'https://redis.io/commands/memory-doctor'))

    def memory_help(self, **kwargs):
        """Raises NotImplementedError, as redis-py does."""
        raise NotImplementedError(_intentionally(
            'MEMORY HELP', 'https://redis.io/commands/memory-help'))

    def script_debug(self, *args):
        """Raises NotImplementedError, as redis-py does."""
        raise NotImplementedError(_intentionally('SCRIPT DEBUG'))
