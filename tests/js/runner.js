// SPDX-License-Identifier: LGPL-2.1-or-later
//
// A tiny TAP test runner for gjs, no npm packages:
//
//   gjs tests/js/runner.js tests/js            # every test*.js in the folder
//   gjs tests/js/runner.js tests/js/testFoo.js # just these files
//
// A test file is a legacy gjs module: each top-level `function testSomething()`
// is a test.  A test fails by throwing (see assert.js); one that returns a
// Promise passes when it resolves, with a main loop running meanwhile.
// Prints TAP (`ok 1 - testFoo: testSomething`) and exits 1 on any failure.

const GLib = imports.gi.GLib;
const Gio = imports.gi.Gio;
const System = imports.system;

imports.gi.versions.DtRedis = '1.0';

const ASYNC_TIMEOUT_MS = 30000;

function collectFiles(paths) {
    const files = [];
    for (const path of paths) {
        if (GLib.file_test(path, GLib.FileTest.IS_DIR)) {
            const names = [];
            const dir = Gio.File.new_for_path(path);
            const children = dir.enumerate_children('standard::name',
                Gio.FileQueryInfoFlags.NONE, null);
            let info;
            while ((info = children.next_file(null)) !== null) {
                const name = info.get_name();
                if (name.startsWith('test') && name.endsWith('.js'))
                    names.push(name);
            }
            children.close(null);
            names.sort();
            for (const name of names)
                files.push(GLib.build_filenamev([path, name]));
        } else {
            files.push(path);
        }
    }
    return files;
}

function loadTests(file) {
    const dir = GLib.path_get_dirname(GLib.canonicalize_filename(file, null));
    const name = GLib.path_get_basename(file).replace(/\.js$/, '');
    if (!imports.searchPath.includes(dir))
        imports.searchPath.unshift(dir);
    const module = imports[name];
    return Object.keys(module)
        .filter(key => key.startsWith('test') && typeof module[key] === 'function')
        .map(key => ({name: `${name}: ${key}`, fn: module[key]}));
}

function settle(promise) {
    const loop = new GLib.MainLoop(null, false);
    let done = false;
    let error = null;
    promise.then(() => {
        done = true;
        loop.quit();
    }, e => {
        done = true;
        error = e;
        loop.quit();
    });
    let timeout = GLib.timeout_add(GLib.PRIORITY_DEFAULT, ASYNC_TIMEOUT_MS, () => {
        timeout = 0;
        if (!done)
            error = new Error(`timed out after ${ASYNC_TIMEOUT_MS} ms`);
        done = true;
        loop.quit();
        return GLib.SOURCE_REMOVE;
    });
    if (!done)
        loop.run();
    if (timeout)
        GLib.source_remove(timeout);
    if (error)
        throw error;
}

function diagnostics(error) {
    const text = `${error}\n${error && error.stack ? error.stack : ''}`;
    for (const line of text.trim().split('\n'))
        print(`# ${line}`);
}

function main(argv) {
    if (argv.length === 0) {
        printerr('usage: gjs runner.js DIR_OR_FILE...');
        return 2;
    }

    const tests = [];
    for (const file of collectFiles(argv)) {
        try {
            const found = loadTests(file);
            if (found.length === 0)
                throw new Error(`no test functions in ${file}`);
            tests.push(...found);
        } catch (e) {
            // A file that cannot load is one failed test, not a crash.
            tests.push({name: `load ${GLib.path_get_basename(file)}`, fn: () => {
                throw e;
            }});
        }
    }

    if (tests.length === 0) {
        print('Bail out! no tests found');
        return 1;
    }

    print(`1..${tests.length}`);
    let failed = 0;
    tests.forEach((test, i) => {
        try {
            const result = test.fn();
            if (result && typeof result.then === 'function')
                settle(result);
            print(`ok ${i + 1} - ${test.name}`);
        } catch (e) {
            failed++;
            print(`not ok ${i + 1} - ${test.name}`);
            diagnostics(e);
        }
    });
    return failed > 0 ? 1 : 0;
}

System.exit(main(ARGV));
