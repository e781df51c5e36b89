// SPDX-License-Identifier: LGPL-2.1-or-later
//
// Assertions for the gjs tests: `const assert = imports.assert;`

function _show(value) {
    try {
        return JSON.stringify(value);
    } catch (e) {
        return String(value);
    }
}

function ok(value, message = 'expected a true value') {
    if (!value)
        throw new Error(`${message}: got ${_show(value)}`);
}

function equal(actual, expected, message = 'values differ') {
    if (actual !== expected)
        throw new Error(`${message}: expected ${_show(expected)}, got ${_show(actual)}`);
}

function deepEqual(actual, expected, message = 'values differ') {
    if (_show(actual) !== _show(expected))
        throw new Error(`${message}: expected ${_show(expected)}, got ${_show(actual)}`);
}

// Calls fn, which must throw; `check(error)` may look closer (e.g. at a
// GError's domain and code with error.matches()).  Returns the error.
function throws(fn, check = null, message = 'expected an exception') {
    let error = null;
    try {
        fn();
    } catch (e) {
        error = e;
    }
    if (error === null)
        throw new Error(message);
    if (check)
        check(error);
    return error;
}
