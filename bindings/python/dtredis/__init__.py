# SPDX-License-Identifier: LGPL-2.1-or-later
"""The Python layer of DtRedis, behind its PyGObject override.

Import it through GObject introspection, not directly::

    import gi
    gi.require_version("DtRedis", "1.0")
    from gi.repository import DtRedis

The override (gi/overrides/DtRedis.py) wires the GI types to this
package, one concern per module:

- exceptions: redis-py's exception classes (also redis.exceptions ones);
- convert: redis-py's argument helpers and reply conversions;
- commands: the command methods, generated from the command table;
- hand_commands: the ones redis-py checks or combines by hand;
- core: the error mapping, reply parsing and the command base class;
- client, async_client: DtRedis.Client and DtRedis.AsyncClient;
- pipeline: pipelines and WATCH; bridge: asyncio to the GLib main loop;
- client_extras, lock, script: scan iterators, Lock and Script;
- sentinel, cluster: redis-py's Sentinel and RedisCluster (and their
  asyncio twins) on clients of a Sentinel or Cluster config.
"""

# In a build tree, commands.py is generated into the build folder's half
# of this package.
from pkgutil import extend_path

__path__ = extend_path(__path__, __name__)
