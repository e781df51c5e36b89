// SPDX-License-Identifier: LGPL-2.1-or-later
//
// What the gjs tests that start their own servers share:
// `const {freePort, sleep} = imports.helpers;`

const GLib = imports.gi.GLib;
const Gio = imports.gi.Gio;

// A 127.0.0.1 TCP port that was free a moment ago.
function freePort() {
    const socket = Gio.Socket.new(Gio.SocketFamily.IPV4, Gio.SocketType.STREAM, Gio.SocketProtocol.TCP);
    socket.bind(Gio.InetSocketAddress.new_from_string('127.0.0.1', 0), false);
    const port = socket.get_local_address().get_port();
    socket.close();
    return port;
}

// Resolves after @ms, with the main loop running meanwhile.
function sleep(ms) {
    return new Promise(resolve => GLib.timeout_add(GLib.PRIORITY_DEFAULT, ms, () => {
        resolve();
        return GLib.SOURCE_REMOVE;
    }));
}
