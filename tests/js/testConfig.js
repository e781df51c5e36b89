// SPDX-License-Identifier: LGPL-2.1-or-later

const DtRedis = imports.gi.DtRedis;
const assert = imports.assert;

function testDefaults() {
    const cfg = new DtRedis.Config();
    assert.equal(cfg.get_redis_host(), 'localhost');
    assert.equal(cfg.get_redis_port(), 6379);
    assert.equal(cfg.get_redis_db(), '0');
}

function testSettersChain() {
    const cfg = new DtRedis.Config();
    assert.ok(cfg.set_redis_password('x') === cfg, 'a setter returns its config');
}

function testPasswordIsPercentEncodedInInstanceUrl() {
    const cfg = new DtRedis.Config();
    cfg.set_redis_password('p@ss:w0rd!');
    const instance = DtRedis.Instance.new(cfg);
    assert.equal(instance.get_redis_url(), 'redis://:p%40ss%3Aw0rd%21@localhost:6379/0');
}
