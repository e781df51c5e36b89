// SPDX-License-Identifier: LGPL-2.1-or-later
//
// The GJS helper module: the DtRedis namespace with every `*_async` method
// that has a `*_finish` twin (for a `*_bytes_async`, its own or its text
// variant's) turned into one that returns a Promise when given no callback.
//
//   import DtRedis from 'file:///usr/share/dtredis/js/dtredis.js';
//   const value = await client.get_async('k');
//
// Nothing is listed by hand: the methods are found by walking the namespace,
// so commands added to the C API are promisified without a change here.
// Gio._promisify does the work; this module only finds what to give it and
// lets the trailing cancellable be left out, which GJS itself does not allow.

import Gio from 'gi://Gio';
import DtRedis from 'gi://DtRedis?version=1.0';

const FILLS_CANCELLABLE = Symbol('dtredis: fills a missing cancellable');

// The `_finish` that completes @target's method @name (an `_async` one), or
// null.  A `_bytes` twin may share its text variant's `_finish`
// (`execute_immediate_bytes_async` ends with `execute_immediate_finish`):
// the GIR of gobject-introspection 1.74 records no finish function, so the
// names are all there is to go by.
function finishFor(target, name) {
    if (!name.endsWith('_async') || name.startsWith('_') || name.startsWith('vfunc_'))
        return null;
    const base = name.slice(0, -'_async'.length);
    const candidates = [`${base}_finish`];
    if (base.endsWith('_bytes'))
        candidates.push(`${base.slice(0, -'_bytes'.length)}_finish`);
    try {
        if (typeof target[name] !== 'function')
            return null;
        return candidates.find(finish => typeof target[finish] === 'function') ?? null;
    } catch (e) {
        return null;
    }
}

// Gio._promisify turns the call without a callback into a Promise, but GJS
// requires every argument, so `ping_async()` would fail: the cancellable
// comes last before the callback (GIO's convention), and a call one
// argument short of that gets null in its place, with or without a callback.
function fillCancellable(target, name) {
    const promisified = target[name];
    if (promisified[FILLS_CANCELLABLE])
        return;
    const arity = target[`_original_${name}`].length; // ..., cancellable, callback
    const wrapper = function (...args) {
        const last = args.length > 0 ? args[args.length - 1] : undefined;
        if (typeof last === 'function') {
            if (args.length === arity - 1)
                args.splice(args.length - 1, 0, null);
        } else if (args.length === arity - 2) {
            args.push(null);
        }
        return promisified.apply(this, args);
    };
    wrapper[FILLS_CANCELLABLE] = true;
    Object.defineProperty(wrapper, 'name', {value: name});
    target[name] = wrapper;
}

/**
 * Promisifies every `*_async`/`*_finish` pair found on @namespace: its
 * functions, and the static and instance methods of each class in it.
 * Safe to call again: what is done already is left alone.
 *
 * @param {object} namespace a GI namespace (or any object shaped like one)
 * @param {string} [prefix] the name used in the returned list
 * @returns {string[]} the methods, as `Class.prototype.name`, `Class.name`
 *   or `name`
 */
export function promisifyNamespace(namespace, prefix = '') {
    const done = [];
    const visit = (target, label) => {
        for (const name of Object.getOwnPropertyNames(target)) {
            const finish = finishFor(target, name);
            if (finish === null)
                continue;
            Gio._promisify(target, name, finish);
            fillCancellable(target, name);
            done.push(`${label}${name}`);
        }
    };

    visit(namespace, prefix);
    for (const key of Object.getOwnPropertyNames(namespace)) {
        let value;
        try {
            value = namespace[key];
        } catch (e) {
            continue;
        }
        // Classes, interfaces and boxed types are functions with a prototype.
        if (typeof value !== 'function' || typeof value.prototype !== 'object' || value.prototype === null)
            continue;
        visit(value, `${prefix}${key}.`);
        visit(value.prototype, `${prefix}${key}.prototype.`);
    }
    return done;
}

/** What was promisified at import, e.g. `AsyncClient.prototype.get_async`. */
export const promisified = Object.freeze(promisifyNamespace(DtRedis));

export {DtRedis};
export default DtRedis;
