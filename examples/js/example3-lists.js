// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's Example 3: List Operations (Queue/Stack).
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m example3-lists.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');
const redisInstance = DtRedis.Instance.new(config);

const client = redisInstance.get_redis_client();
try {
    // Task queue (FIFO)
    client.lpush('tasks', ['task1', 'task2', 'task3'], null);

    // Process tasks
    while (client.llen('tasks', null) > 0) {
        const task = client.rpop('tasks', null);
        print(`Processing: ${task}`);
    }

    // Stack (LIFO)
    client.rpush('history', ['page1', 'page2', 'page3'], null);
    const lastPage = client.rpop('history', null);
    print(`Last visited: ${lastPage}`);

    // Get range
    client.rpush('logs', ['log1', 'log2', 'log3'], null);
    const recentLogs = client.lrange('logs', 0, 2, null);
    for (const log of recentLogs)
        print(log);
} finally {
    client.close();
}
