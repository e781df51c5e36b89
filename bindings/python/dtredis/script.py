# SPDX-License-Identifier: LGPL-2.1-or-later
"""redis-py's Script: a Lua script run by its SHA1, loaded when missing.

client.register_script(source) returns a Script (an AsyncScript from the
asyncio client).  Calling it sends EVALSHA; when the server answers
NOSCRIPT (it never had the script, or SCRIPT FLUSH dropped it), the
script is loaded with SCRIPT LOAD and EVALSHA sent again.  A NOSCRIPT
answer means the script did not run, so the second EVALSHA cannot run it
twice.  Given a pipeline, the script is loaded at once through the
registering client and EVALSHA is queued.
"""

import hashlib

from .exceptions import NoScriptError


def _source_bytes(script):
    if isinstance(script, str):
        return script.encode()
    return bytes(script)


class Script:
    """A registered Lua script; call it with keys=, args= and client=."""

    def __init__(self, registered_client, script):
        self.registered_client = registered_client
        self.script = script
        self.sha = hashlib.sha1(_source_bytes(script)).hexdigest()

    def _is_pipeline(self, client):
        return hasattr(client, 'multi')

    def __call__(self, keys=[], args=[], client=None):  # noqa: B006 - redis-py's signature
        """EVALSHA with @keys and @args on @client (the registering client
        by default), loading the script first if the server lacks it."""
        client = self.registered_client if client is None else client
        keys, args = list(keys), list(args)
        if self._is_pipeline(client):
            self.sha = self.registered_client.script_load(self.script)
            return client.evalsha(self.sha, len(keys), *keys, *args)
        try:
            return client.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            self.sha = client.script_load(self.script)
            return client.evalsha(self.sha, len(keys), *keys, *args)


class AsyncScript(Script):
    """Script for the asyncio client: calling it gives a coroutine."""

    async def __call__(self, keys=[], args=[], client=None):  # noqa: B006
        """As Script.__call__(), awaited."""
        client = self.registered_client if client is None else client
        keys, args = list(keys), list(args)
        if self._is_pipeline(client):
            self.sha = await self.registered_client.script_load(self.script)
            return client.evalsha(self.sha, len(keys), *keys, *args)
        try:
            return await client.evalsha(self.sha, len(keys), *keys, *args)
        except NoScriptError:
            self.sha = await client.script_load(self.script)
            return await client.evalsha(self.sha, len(keys), *keys, *args)
