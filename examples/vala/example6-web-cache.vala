/* example6-web-cache.vala: the seed's Example 6, fetching pages through a cache
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 *
 * fetch_url_cached() looks a URL up in Redis first, fetches it with a
 * Soup.Session on a miss and caches the body with SETEX.  Three URLs are
 * fetched concurrently, twice: the second round comes from the cache.  The
 * pages come from a Soup.Server this program runs on 127.0.0.1, never from
 * the internet.
 */

/* An HTTP body as text, like Python's response.text. */
string text (Bytes bytes) {
    return ((string) bytes.get_data ()).substring (0, (long) bytes.get_size ());
}

Soup.Session http_client;

async string fetch_url_cached (DtRedis.Instance redis_instance, string url,
                               int64 ttl = 3600) throws GLib.Error {
    var cache_key = @"cache:url:$url";
    var client = redis_instance.get_async_redis_client ();

    // Try cache first
    string? cached = yield client.get_async (cache_key);
    if (cached != null) {
        print ("Cache hit: %s\n", url);
        return cached;
    }

    // Fetch from web
    print ("Fetching: %s\n", url);
    var msg = new Soup.Message ("GET", url);
    var body = yield http_client.send_and_read_async (msg, Priority.DEFAULT, null);
    if (msg.get_status () != Soup.Status.OK) {
        throw new IOError.FAILED ("%s: HTTP %u", url, (uint) msg.get_status ());
    }

    // Cache result
    var content = text (body);
    yield client.setex_async (cache_key, ttl, content);
    return content;
}

/* Like asyncio.gather(): all at once; the results in call order. */
async string[] fetch_all (DtRedis.Instance redis_instance, string[] urls) throws GLib.Error {
    var results = new string[urls.length];
    var pending = urls.length;
    GLib.Error? first_error = null;

    for (var i = 0; i < urls.length; i++) {
        var index = i;
        fetch_url_cached.begin (redis_instance, urls[index], 3600, (obj, res) => {
            try {
                results[index] = fetch_url_cached.end (res);
            } catch (GLib.Error e) {
                first_error = first_error ?? e;
            }
            if (--pending == 0) {
                fetch_all.callback ();
            }
        });
    }
    yield;

    if (first_error != null) {
        throw first_error;
    }
    return results;
}

uint pages_served = 0;

void serve_page (Soup.Server server, Soup.ServerMessage msg, string path,
                 HashTable<string, string>? query) {
    if (!(path in new string[] { "/example.com", "/example.org", "/example.net" })) {
        msg.set_status (Soup.Status.NOT_FOUND, null);
        return;
    }
    pages_served++;
    var page = "<html><body><h1>%s</h1></body></html>".printf (path.substring (1));
    msg.set_status (Soup.Status.OK, null);
    msg.set_response ("text/html", Soup.MemoryUse.COPY, page.data);
}

async void run (DtRedis.Instance redis_instance) throws GLib.Error {
    // Three pages on a local server: the example never leaves this machine.
    var server = new Soup.Server ("server-header", "dtredis-example ");
    server.add_handler (null, serve_page);
    server.listen_local (0, Soup.ServerListenOptions.IPV4_ONLY);
    var port = server.get_uris ().data.get_port ();

    string[] urls = {
        "http://127.0.0.1:%d/example.com".printf (port),
        "http://127.0.0.1:%d/example.org".printf (port),
        "http://127.0.0.1:%d/example.net".printf (port),
    };

    http_client = new Soup.Session ();
    http_client.set_proxy_resolver (null);

    // Fetch concurrently, twice: the second round comes from the cache.
    for (var round = 0; round < 2; round++) {
        var results = yield fetch_all (redis_instance, urls);
        print ("Fetched %d pages\n", results.length);
    }
    print ("The web server answered %u requests\n", pages_served);
}

int main () {
    var url = Environment.get_variable ("REDIS_URL") ?? "redis://localhost:6379/0";
    DtRedis.Instance redis_instance;

    try {
        redis_instance = new DtRedis.Instance (new DtRedis.Config.from_url (url));
    } catch (GLib.Error e) {
        printerr ("Bad REDIS_URL: %s\n", e.message);
        return 1;
    }

    var loop = new MainLoop ();
    var status = 0;
    run.begin (redis_instance, (obj, res) => {
        try {
            run.end (res);
        } catch (GLib.Error e) {
            printerr ("Error: %s\n", e.message);
            status = 1;
        }
        loop.quit ();
    });
    loop.run ();

    return status;
}
