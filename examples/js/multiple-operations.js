// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The seed's "Multiple Operations": strings, hashes, lists and sets
// through one client.
//
//   REDIS_URL=redis://localhost:6379/0 gjs -m multiple-operations.js

import GLib from 'gi://GLib';
import DtRedis from 'gi://DtRedis?version=1.0';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = str => encoder.encode(str);
const text = value => value === null ? null : decoder.decode(value.toArray());

// HGETALL through execute(): hgetall() returns a GHashTable keyed by
// GLib.Bytes, which GJS cannot turn into property names.  The reply is
// field, value, field, value...
function hgetall(client, key) {
    const reply = client.execute(['HGETALL', key], null);
    const hash = {};
    for (let i = 0; i + 1 < reply.get_n_elements(); i += 2)
        hash[text(reply.get_element(i).get_bytes())] = text(reply.get_element(i + 1).get_bytes());
    return hash;
}

const config = new DtRedis.Config()
    .set_redis_url(GLib.getenv('REDIS_URL') ?? 'redis://localhost:6379/0');
const redisInstance = DtRedis.Instance.new(config);

const client = redisInstance.get_redis_client();
let counter, user, tasks, tags;
try {
    // String operations
    client.set('counter', bytes('0'), null);
    client.incr('counter', null);
    client.incrby('counter', 5, null);

    // Hash operations
    client.hset('user:1', 'name', bytes('John'), null);
    client.hset('user:1', 'email', bytes('john@example.com'), null);

    // List operations
    client.lpush('tasks', ['task1', 'task2', 'task3'], null);

    // Set operations
    client.sadd('tags', ['python', 'redis', 'cache'], null);

    // Get data
    counter = client.get('counter', null);
    user = hgetall(client, 'user:1');
    tasks = client.lrange('tasks', 0, -1, null);
    tags = client.smembers('tags', null);
} finally {
    client.close();
}

print(`counter: ${text(counter)}`);
print(`user: ${JSON.stringify(user)}`);
print(`tasks: ${JSON.stringify(tasks.map(text))}`);
// A set has no order: sorted, so that the output is the same every run.
print(`tags: ${JSON.stringify(tags.map(text).sort())}`);
