/* web-handler.vala: the seed's FastAPI app as a libsoup 3 server
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 *   GET  /user/{user_id}            {"user_id":1,"name":"..."} or
 *                                   {"error":"User not found"}
 *   POST /user/{user_id}?name=NAME  stores the name, answers like GET
 *
 * Each request is paused while an async method waits for Redis, so one
 * slow request never holds up the others.  The program listens on a free
 * 127.0.0.1 port, sends itself a few requests, prints the answers and
 * exits.
 */

/* libsoup 3.2 moved pausing to the message; the binding that comes with
 * Vala 0.56 predates it. */
[CCode (cname = "soup_server_message_pause")]
extern void pause_message (Soup.ServerMessage msg);
[CCode (cname = "soup_server_message_unpause")]
extern void unpause_message (Soup.ServerMessage msg);

/* An HTTP body as text. */
string text (Bytes bytes) {
    return ((string) bytes.get_data ()).substring (0, (long) bytes.get_size ());
}

string json_string (string s) {
    var escaped = new StringBuilder ("\"");
    for (var i = 0; i < s.length; i++) {
        var c = s[i];
        if (c == '"' || c == '\\') {
            escaped.append_c ('\\').append_c (c);
        } else if ((uchar) c < 0x20) {
            escaped.append_printf ("\\u%04x", (uint) c);
        } else {
            escaped.append_c (c);
        }
    }
    return escaped.append_c ('"').str;
}

class UserServer : Object {
    private DtRedis.Instance redis_instance;
    private Soup.Server server;

    public UserServer (DtRedis.Instance redis_instance) {
        this.redis_instance = redis_instance;
        server = new Soup.Server ("server-header", "dtredis-example ");
        server.add_handler ("/user", handle_user);
    }

    /* Listens on a free loopback port; returns the base URI. */
    public string listen () throws GLib.Error {
        server.listen_local (0, Soup.ServerListenOptions.IPV4_ONLY);
        var uris = server.get_uris ();
        return "http://127.0.0.1:%d".printf (uris.data.get_port ());
    }

    private static void respond (Soup.ServerMessage msg, uint status, string json) {
        msg.set_status (status, null);
        msg.set_response ("application/json", Soup.MemoryUse.COPY, json.data);
    }

    private static void respond_user (Soup.ServerMessage msg, int64 user_id, string name) {
        respond (msg, Soup.Status.OK,
                 "{\"user_id\":%s,\"name\":%s}".printf (user_id.to_string (), json_string (name)));
    }

    private static void respond_error (Soup.ServerMessage msg, uint status, string key, string message) {
        respond (msg, status, "{%s:%s}".printf (json_string (key), json_string (message)));
    }

    private void handle_user (Soup.Server server, Soup.ServerMessage msg, string path,
                              HashTable<string, string>? query) {
        int64 user_id;

        // The handler is registered for "/user": take the id after "/user/".
        if (!path.has_prefix ("/user/")) {
            respond_error (msg, Soup.Status.NOT_FOUND, "detail", "Not Found");
            return;
        }
        if (!int64.try_parse (path.substring ("/user/".length), out user_id)) {
            respond_error (msg, Soup.Status.UNPROCESSABLE_ENTITY, "detail",
                           "user_id must be an integer");
            return;
        }

        switch (msg.get_method ()) {
        case "GET":
            // Nothing is sent until the message is unpaused.
            pause_message (msg);
            get_user.begin (msg, user_id, () => unpause_message (msg));
            break;
        case "POST":
            var name = query != null ? query["name"] : null;
            if (name == null) {
                respond_error (msg, Soup.Status.UNPROCESSABLE_ENTITY, "detail",
                               "the name query parameter is required");
                return;
            }
            pause_message (msg);
            create_user.begin (msg, user_id, name, () => unpause_message (msg));
            break;
        default:
            respond_error (msg, Soup.Status.METHOD_NOT_ALLOWED, "detail", "Method Not Allowed");
            break;
        }
    }

    private async void get_user (Soup.ServerMessage msg, int64 user_id) {
        var client = redis_instance.get_async_redis_client ();
        try {
            string? name = yield client.get_async (@"user:$user_id:name");
            if (name != null) {
                respond_user (msg, user_id, name);
            } else {
                respond_error (msg, Soup.Status.OK, "error", "User not found");
            }
        } catch (GLib.Error e) {
            respond_error (msg, Soup.Status.SERVICE_UNAVAILABLE, "detail", e.message);
        }
    }

    private async void create_user (Soup.ServerMessage msg, int64 user_id, string name) {
        var client = redis_instance.get_async_redis_client ();
        try {
            yield client.set_async (@"user:$user_id:name", name);
            respond_user (msg, user_id, name);
        } catch (GLib.Error e) {
            respond_error (msg, Soup.Status.SERVICE_UNAVAILABLE, "detail", e.message);
        }
    }
}

async void drive (string base_uri) throws GLib.Error {
    string[,] requests = {
        { "GET", "/user/1" },
        { "POST", "/user/1?name=Alice" },
        { "GET", "/user/1" },
        { "POST", "/user/2?name=Bob%20Smith" },
        { "GET", "/user/2" },
        { "GET", "/user/3" },
        { "GET", "/user/abc" },
        { "POST", "/user/4" },
    };
    var session = new Soup.Session ();
    // The server is on this machine: never go through a proxy.
    session.set_proxy_resolver (null);

    for (var i = 0; i < requests.length[0]; i++) {
        var msg = new Soup.Message (requests[i, 0], base_uri + requests[i, 1]);
        var body = yield session.send_and_read_async (msg, Priority.DEFAULT, null);
        print ("%s %s -> %u %s\n", requests[i, 0], requests[i, 1], (uint) msg.get_status (),
               text (body));
    }
}

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";
    UserServer server;
    string base_uri;

    try {
        // Global Redis instance
        var redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));
        server = new UserServer (redis_instance);
        base_uri = server.listen ();
    } catch (GLib.Error e) {
        printerr ("%s\n", e.message);
        return 1;
    }

    var loop = new MainLoop ();
    var status = 0;
    drive.begin (base_uri, (obj, res) => {
        try {
            drive.end (res);
        } catch (GLib.Error e) {
            printerr ("HTTP request failed: %s\n", e.message);
            status = 1;
        }
        loop.quit ();
    });
    loop.run ();

    return status;
}
