// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's "Multiple Operations": strings, hashes, lists and sets
// through one client.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m multiple-operations.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');
const redisInstance = DtRedis.Instance.new(config);

const client = redisInstance.get_redis_client();
let counter, user, tasks, tags;
try {
    // String operations
    client.set('counter', '0', null);
    client.incr('counter', null);
    client.incrby('counter', 5, null);

    // Hash operations
    client.hset('user:1', 'name', 'John', null);
    client.hset('user:1', 'email', 'john@example.com', null);

    // List operations
    client.lpush('tasks', ['task1', 'task2', 'task3'], null);

    // Set operations
    client.sadd('tags', ['python', 'redis', 'cache'], null);

    // Get data
    counter = client.get('counter', null);
    // HGETALL: a plain object of strings, in no particular order; these
    // are its fields in the order to print them.
    const {name, email} = client.hgetall('user:1', null);
    user = {name, email};
    tasks = client.lrange('tasks', 0, -1, null);
    tags = client.smembers('tags', null);
} finally {
    client.close();
}

print(`counter: ${counter}`);
print(`user: ${JSON.stringify(user)}`);
print(`tasks: ${JSON.stringify(tasks)}`);
// A set has no order: sorted, so that the output is the same every run.
print(`tags: ${JSON.stringify(tags.sort())}`);
