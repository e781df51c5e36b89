#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Installs dtredis into a temporary prefix and runs examples against it.

    test-install.py --srcdir DIR [--meson MESON] [--keep]

Configures a fresh build of DIR with --prefix=<tmp>/prefix, builds it,
`meson install`s it, checks that every piece landed where it belongs
(library, headers, pkg-config file, GIR, typelib, vapi, Python overrides,
docs, translations), then, with an environment that knows only the prefix:

  - compiles examples/c/basic-sync.c with the prefix's pkg-config,
  - compiles examples/vala/basic-async.vala (async calls with yield)
    against the installed vapi,
  - runs examples/python/basic_sync.py with the installed overrides,
  - runs examples/js/basic-async.js with the installed typelib, and a
    script that imports the installed GJS module and awaits a ping,

each against a private redis-server, and compares what they print with
examples/expected/.  The output is TAP.  Run with /usr/bin/python3.
"""

import argparse
import json
import os
import pathlib
import shlex
import shutil
import subprocess
import sys
import tempfile


class Bail(Exception):
    pass


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def diag(self, text):
        for line in str(text).rstrip("\n").splitlines():
            print("# " + line)
        sys.stdout.flush()

    def ok(self, good, name, details=None):
        self.n += 1
        if not good:
            self.failed += 1
            if details:
                self.diag(details)
        print("%s %d - %s" % ("ok" if good else "not ok", self.n, name))
        sys.stdout.flush()
        return good


def run(argv, env=None, cwd=None, timeout=600):
    """Runs @argv; returns (exit status, stdout and stderr together)."""
    try:
        proc = subprocess.run(argv, env=env, cwd=cwd, timeout=timeout,
                              stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
    except (OSError, subprocess.TimeoutExpired) as e:
        return 127, str(e)
    return proc.returncode, proc.stdout.decode("utf-8", "replace")


def installed_env(prefix, dirs, python_dir):
    """The caller's environment with the build tree taken out and only the
    prefix put in: nothing can come from anywhere else."""
    env = dict(os.environ)
    for var in ("GI_TYPELIB_PATH", "LD_LIBRARY_PATH", "PYTHONPATH", "PKG_CONFIG_PATH",
                "XDG_DATA_DIRS", "MESON_DEVENV", "MESON_PROJECT_NAME"):
        env.pop(var, None)
    libdir = os.path.join(prefix, dirs["libdir"])
    env["LD_LIBRARY_PATH"] = libdir
    env["GI_TYPELIB_PATH"] = os.path.join(libdir, "girepository-1.0")
    env["PKG_CONFIG_PATH"] = os.path.join(libdir, "pkgconfig")
    env["PYTHONPATH"] = python_dir
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["GIO_USE_PROXY_RESOLVER"] = "dummy"
    env["GSETTINGS_BACKEND"] = "memory"
    env["G_DEBUG"] = "fatal-criticals"
    return env


def run_example(tap, runner, name, argv, expected, env):
    """Runs one example against a private redis-server with the examples'
    own runner; its output becomes TAP comments."""
    status, out = run([sys.executable, runner, "--expected", expected, "--"] + argv,
                      env=env, timeout=180)
    tap.diag(out)
    return tap.ok(status == 0, name)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--srcdir", required=True)
    parser.add_argument("--meson", default="meson")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    srcdir = os.path.abspath(args.srcdir)
    examples = os.path.join(srcdir, "examples")
    expected = os.path.join(examples, "expected")
    runner = os.path.join(examples, "run-example.py")
    tap = Tap()
    tmp = tempfile.mkdtemp(prefix="dtredis-install-")
    builddir = os.path.join(tmp, "build")
    prefix = os.path.join(tmp, "prefix")

    try:
        # -- install ---------------------------------------------------------
        # Introspection and the vapi are required, not auto: the test is
        # about them.
        status, out = run([args.meson, "setup", builddir, srcdir, "--prefix", prefix,
                           "-Dtests=false", "-Dexamples=false",
                           "-Dintrospection=enabled", "-Dvapi=enabled"])
        if not tap.ok(status == 0, "meson setup --prefix=<tmp>/prefix", out):
            raise Bail("meson setup failed")
        status, out = run([args.meson, "compile", "-C", builddir], timeout=900)
        if not tap.ok(status == 0, "meson compile", out):
            raise Bail("the build failed")
        status, out = run([args.meson, "install", "-C", builddir, "--no-rebuild"])
        if not tap.ok(status == 0, "meson install", out):
            raise Bail("meson install failed")

        status, out = run([args.meson, "introspect", "--buildoptions", builddir])
        options = {o["name"]: o["value"] for o in json.loads(out)} if status == 0 else {}
        dirs = {d: options.get(d, d) for d in ("libdir", "includedir", "datadir", "localedir")}
        libdir = os.path.join(prefix, dirs["libdir"])
        datadir = os.path.join(prefix, dirs["datadir"])
        tap.diag("libdir=%s includedir=%s datadir=%s" % (
            dirs["libdir"], dirs["includedir"], dirs["datadir"]))

        # -- what landed where -----------------------------------------------
        def installed(name, path):
            return tap.ok(os.path.exists(path), "installed: %s (%s)" % (
                name, os.path.relpath(path, prefix)))

        installed("shared library", os.path.join(libdir, "libdtredis-1.0.so.0"))
        installed("development symlink", os.path.join(libdir, "libdtredis-1.0.so"))
        incdir = os.path.join(prefix, dirs["includedir"], "dtredis-1.0")
        for header in ("dtredis.h", "dtredis-client.h", "dtredis-enums.h", "dtredis-version.h"):
            installed("header " + header, os.path.join(incdir, header))
        installed("pkg-config file", os.path.join(libdir, "pkgconfig", "dtredis-1.0.pc"))
        installed("GIR", os.path.join(datadir, "gir-1.0", "DtRedis-1.0.gir"))
        installed("typelib", os.path.join(libdir, "girepository-1.0", "DtRedis-1.0.typelib"))
        installed("vapi", os.path.join(datadir, "vala", "vapi", "dtredis-1.0.vapi"))
        installed("vapi deps", os.path.join(datadir, "vala", "vapi", "dtredis-1.0.deps"))
        if options.get("documentation", "auto") != "disabled" and shutil.which("gi-docgen"):
            installed("API reference", os.path.join(datadir, "doc", "dtredis-1.0", "index.html"))
        linguas = os.path.join(srcdir, "po", "LINGUAS")
        if os.path.exists(linguas):
            with open(linguas) as f:
                for lang in f.read().split():
                    if not lang.startswith("#"):
                        installed("translation " + lang, os.path.join(
                            prefix, dirs["localedir"], lang, "LC_MESSAGES", "dtredis-1.0.mo"))

        # The overrides: <dir>/gi/overrides/DtRedis.py, <dir> being where
        # meson puts Python modules for this prefix.
        found = []
        for root, _, files in os.walk(prefix):
            if "DtRedis.py" in files and root.endswith(os.path.join("gi", "overrides")):
                found.append(os.path.join(root, "DtRedis.py"))
        if not tap.ok(len(found) == 1, "installed: Python overrides gi/overrides/DtRedis.py",
                      "found: %r" % found):
            raise Bail("no Python overrides to test")
        python_dir = os.path.dirname(os.path.dirname(os.path.dirname(found[0])))
        rel = os.path.relpath(python_dir, prefix)
        # The package beside gi/, with its generated module, all byte-compiled.
        package = os.path.join(python_dir, "dtredis")
        modules = sorted(f for f in os.listdir(package) if f.endswith(".py")) \
            if os.path.isdir(package) else []
        tap.ok("commands.py" in modules and "__init__.py" in modules and "core.py" in modules,
               "installed: the dtredis package with its generated commands.py",
               "found: %r" % modules)
        compiled = []
        for folder in (package, os.path.dirname(found[0])):
            cache = os.path.join(folder, "__pycache__")
            compiled += os.listdir(cache) if os.path.isdir(cache) else []
        missing = [m for m in modules + ["DtRedis.py"]
                   if not any(c.startswith(m[:-3] + ".") and c.endswith(".pyc") for c in compiled)]
        tap.ok(modules and not missing, "installed: the Python layer is byte-compiled",
               "not compiled: %r" % missing)
        # Where Debian's python looks when the prefix is /usr or /usr/local.
        status, out = run([sys.executable, "-c", "import sys; print('\\n'.join(sys.path))"],
                          env={"PATH": os.environ.get("PATH", "")})
        searched = {os.path.relpath(p, base) for p in out.split()
                    for base in ("/usr", "/usr/local")
                    if os.path.isabs(p) and p.startswith(base + "/")}
        tap.ok(rel in searched, "the overrides dir %s is on %s's path for some prefix"
               % (rel, sys.executable), "searched: %s" % sorted(searched))

        env = installed_env(prefix, dirs, python_dir)

        status, out = run(["pkg-config", "--modversion", "dtredis-1.0"], env=env)
        tap.ok(status == 0, "pkg-config finds dtredis-1.0 in the prefix: %s" % out.strip(), out)
        status, out = run(["pkg-config", "--variable=prefix", "dtredis-1.0"], env=env)
        tap.ok(out.strip() == prefix, "its prefix is the temporary one", out)

        # -- C ---------------------------------------------------------------
        c_src = os.path.join(examples, "c", "basic-sync.c")
        c_exe = os.path.join(tmp, "c-basic-sync")
        status, flags = run(["pkg-config", "--cflags", "--libs", "dtredis-1.0"], env=env)
        cc = shlex.split(os.environ.get("CC", "cc"))
        status, out = run(cc + ["-o", c_exe, c_src] + shlex.split(flags), env=env)
        if tap.ok(status == 0, "C: basic-sync.c compiles with `pkg-config dtredis-1.0`", out):
            status, out = run(["ldd", c_exe], env=env)
            lib_line = [l for l in out.splitlines() if "libdtredis" in l]
            tap.ok(lib_line and libdir in lib_line[0],
                   "C: it loads the installed libdtredis", out)
            run_example(tap, runner, "C: basic-sync runs against the installed library",
                        [c_exe], os.path.join(expected, "basic-sync.txt"), env)

        # -- Vala ----------------------------------------------------------------
        vala_src = os.path.join(examples, "vala", "basic-async.vala")
        vala_exe = os.path.join(tmp, "vala-basic-async")
        status, out = run(["valac", "--vapidir", os.path.join(datadir, "vala", "vapi"),
                           "--pkg", "dtredis-1.0", "--pkg", "gio-2.0", "-X", "-w",
                           "--directory", tmp, "-o", vala_exe, vala_src], env=env)
        if tap.ok(status == 0, "Vala: basic-async.vala compiles against the installed vapi", out):
            run_example(tap, runner, "Vala: basic-async runs its async calls with yield",
                        [vala_exe], os.path.join(expected, "basic-async.txt"), env)

        # -- Python --------------------------------------------------------------
        status, out = run([sys.executable, "-c",
                           "import gi\n"
                           "gi.require_version('DtRedis', '1.0')\n"
                           "from gi.repository import DtRedis\n"
                           "import gi.overrides.DtRedis as o\n"
                           "print(o.__file__)\n"
                           "p = DtRedis._introspection_module.__path__\n"
                           "print(p if isinstance(p, str) else p[0])\n"], env=env)
        paths = out.split()
        tap.ok(status == 0 and len(paths) == 2 and all(p.startswith(prefix) for p in paths),
               "Python: the overrides and the typelib come from the prefix", out)
        run_example(tap, runner, "Python: basic_sync.py runs with the installed overrides",
                    [sys.executable, os.path.join(examples, "python", "basic_sync.py")],
                    os.path.join(expected, "python-basic-sync.txt"), env)

        # -- GJS -----------------------------------------------------------------
        gjs = shutil.which("gjs") or "gjs"
        run_example(tap, runner, "GJS: basic-async.js runs with the installed typelib",
                    [gjs, "-m", os.path.join(examples, "js", "basic-async.js")],
                    os.path.join(expected, "js-basic-async.txt"), env)
        gjs_module = os.path.join(datadir, "dtredis", "js", "dtredis.js")
        if installed("GJS module", gjs_module):
            script = os.path.join(tmp, "gjs-module-ping.js")
            with open(script, "w") as f:
                f.write("import GLib from 'gi://GLib';\n"
                        "import DtRedis from %s;\n"
                        "const url = GLib.Uri.parse(GLib.getenv('REDIS_URL'), GLib.UriFlags.NONE);\n"
                        "const config = new DtRedis.Config()\n"
                        "    .set_redis_host(url.get_host()).set_redis_port(url.get_port());\n"
                        "print(await DtRedis.Instance.new(config).ping_async());\n"
                        % json.dumps(pathlib.Path(gjs_module).as_uri()))
            with open(script + ".expected", "w") as f:
                f.write("true\n")
            run_example(tap, runner, "GJS: the installed dtredis.js promisifies: await ping_async()",
                        [gjs, "-m", script], script + ".expected", env)
    except Bail as e:
        print("Bail out! %s" % e)
        tap.failed += 1
    finally:
        if args.keep:
            tap.diag("kept " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)

    print("1..%d" % tap.n)
    return 1 if tap.failed else 0


if __name__ == "__main__":
    sys.exit(main())
