#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Runs one example against a private redis-server and checks what it prints.

    run-example.py [--expected FILE] [--timeout S] [--chdir DIR] -- PROGRAM [ARGS...]

A redis-server is started on a free 127.0.0.1 port in a temporary directory,
PROGRAM runs with REDIS_URL=redis://127.0.0.1:PORT/0, and the server is
stopped afterwards (it also dies with this process).  The example must exit
with status 0 and its standard output must match FILE line by line:

    text                 the line, exactly (trailing spaces ignored)
    re:REGEX             a line that REGEX matches in full (Python re)
    @unordered           the lines up to @end match in any order, e.g. the
    ...                  members of a set, or lines printed by concurrent
    @end                 operations; each may be text or re:
    \\text               text starting with "re:", "@" or "\\", exactly

Without --expected the output is only printed.  The redis-server binary is
$DT_TEST_REDIS_SERVER, else redis-server on PATH.  Run with /usr/bin/python3.
"""

import argparse
import ctypes
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

_PR_SET_PDEATHSIG = 1
_libc = ctypes.CDLL(None, use_errno=True)


class StartError(Exception):
    pass


def _die_with_parent(parent):
    # Between fork and exec: the server gets SIGKILL when we die, however.
    _libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(127)


def _free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """redis-server on a free loopback port, in its own temporary directory."""

    def __init__(self, binary=None):
        self.binary = binary or os.environ.get("DT_TEST_REDIS_SERVER") or "redis-server"
        if shutil.which(self.binary) is None:
            raise StartError("redis-server not found (%s): install redis-server "
                             "or set DT_TEST_REDIS_SERVER" % self.binary)
        self.tmpdir = tempfile.mkdtemp(prefix="dtredis-example-")
        self.port = None
        self.process = None

    @property
    def url(self):
        return "redis://127.0.0.1:%d/0" % self.port

    def _log(self):
        try:
            with open(os.path.join(self.tmpdir, "redis.log"), errors="replace") as f:
                return f.read()
        except OSError:
            return "(no log)"

    def _spawn(self):
        conf = os.path.join(self.tmpdir, "redis.conf")
        with open(conf, "w") as f:
            f.write("bind 127.0.0.1\nport %d\ndaemonize no\nsave \"\"\n"
                    "appendonly no\nlogfile \"\"\ndir \"%s\"\n" % (self.port, self.tmpdir))
        parent = os.getpid()
        with open(os.path.join(self.tmpdir, "redis.log"), "ab") as log:
            self.process = subprocess.Popen(
                [self.binary, conf], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, cwd=self.tmpdir,
                preexec_fn=lambda: _die_with_parent(parent))

    def _ping(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"*1\r\n$4\r\nPING\r\n")
                return s.recv(64).startswith(b"+PONG")
        except OSError:
            return False

    def start(self):
        for _ in range(8):
            self.port = _free_port()
            self._spawn()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                if self._ping():
                    return self
                if self.process.poll() is not None:
                    break
                time.sleep(0.02)
            log = self._log()
            self.stop()
            if "Address already in use" not in log:
                raise StartError("redis-server did not start:\n" + log)
        raise StartError("no free port for redis-server")

    def stop(self):
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None

    def close(self):
        self.stop()
        shutil.rmtree(self.tmpdir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


# -- expected output ----------------------------------------------------------

class Pattern:
    def __init__(self, line, lineno):
        self.lineno = lineno
        self.text = line
        if line.startswith("re:"):
            self.regex = re.compile(line[3:])
        else:
            self.regex = None
            if line.startswith("\\"):
                self.text = line[1:]

    def matches(self, line):
        if self.regex is not None:
            return self.regex.fullmatch(line) is not None
        return line == self.text

    def __str__(self):
        return "line %d: %s" % (self.lineno, self.text)


def parse_expected(text):
    """A list of items: a Pattern, or a list of Patterns (an unordered block)."""
    items = []
    block = None
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.rstrip()
        if line == "@unordered":
            if block is not None:
                raise ValueError("line %d: nested @unordered" % lineno)
            block = []
        elif line == "@end":
            if block is None:
                raise ValueError("line %d: @end without @unordered" % lineno)
            items.append(block)
            block = None
        elif line.startswith("@"):
            raise ValueError("line %d: unknown directive %s" % (lineno, line))
        elif block is not None:
            block.append(Pattern(line, lineno))
        else:
            items.append(Pattern(line, lineno))
    if block is not None:
        raise ValueError("@unordered without @end")
    return items


def _match_unordered(patterns, lines):
    """Pairs each line with its own pattern (a bipartite matching, so that
    overlapping regexes cannot steal each other's lines).  Returns the
    index of a line that cannot be paired, or None."""
    owner = [None] * len(patterns)   # pattern index -> line index

    def place(i, seen):
        for j, pattern in enumerate(patterns):
            if j not in seen and pattern.matches(lines[i]):
                seen.add(j)
                if owner[j] is None or place(owner[j], seen):
                    owner[j] = i
                    return True
        return False

    for i in range(len(lines)):
        if not place(i, set()):
            return i
    return None


def check_output(items, lines):
    """Returns a list of problems, empty when @lines match @items."""
    lines = [line.rstrip() for line in lines]
    pos = 0
    for item in items:
        if isinstance(item, Pattern):
            if pos >= len(lines):
                return ["output ended; expected %s" % item]
            if not item.matches(lines[pos]):
                return ["output line %d: %r\n  does not match expected %s"
                        % (pos + 1, lines[pos], item)]
            pos += 1
        else:
            chunk = lines[pos:pos + len(item)]
            if len(chunk) < len(item):
                return ["output ended inside the @unordered block that starts at %s"
                        % item[0]]
            line = _match_unordered(item, chunk)
            if line is not None:
                return ["output line %d: %r\n  matches nothing left in the @unordered "
                        "block that starts at %s" % (pos + line + 1, chunk[line], item[0])]
            pos += len(item)
    if pos < len(lines):
        return ["unexpected output from line %d on: %r" % (pos + 1, lines[pos])]
    return []


def run(argv, expected=None, timeout=120, cwd=None, env=None, server_binary=None):
    """Runs @argv against a private server; returns 0 when it passed."""
    items = None
    if expected is not None:
        with open(expected, encoding="utf-8") as f:
            items = parse_expected(f.read())

    with RedisServer(server_binary) as server:
        run_env = dict(os.environ if env is None else env)
        run_env["REDIS_URL"] = server.url
        print("# %s" % " ".join(argv))
        print("# REDIS_URL=%s" % server.url)
        sys.stdout.flush()
        try:
            proc = subprocess.run(argv, env=run_env, cwd=cwd, timeout=timeout,
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
        except OSError as e:
            print("FAIL: cannot run the example: %s" % e)
            return 1
        except subprocess.TimeoutExpired as e:
            for line in (e.stdout or b"").decode("utf-8", "replace").splitlines():
                print("  | " + line)
            sys.stderr.write((e.stderr or b"").decode("utf-8", "replace"))
            print("FAIL: the example did not finish within %d s" % timeout)
            return 1

    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8", "replace")
    # Indented, so that no line of the example reads as a TAP result.
    for line in out.splitlines():
        print("  | " + line)
    if err:
        sys.stderr.write(err)
    if proc.returncode != 0:
        print("FAIL: the example exited with status %d" % proc.returncode)
        return 1
    if items is not None:
        problems = check_output(items, out.splitlines())
        if problems:
            print("FAIL: the output does not match %s:" % expected)
            for p in problems:
                print("  " + p)
            return 1
    return 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--expected", help="the expected-output file")
    parser.add_argument("--timeout", type=float, default=120)
    parser.add_argument("--chdir", help="directory to run the example in")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        parser.error("no example to run")
    try:
        return run(command, expected=args.expected, timeout=args.timeout, cwd=args.chdir)
    except (StartError, ValueError) as e:
        print("FAIL: %s" % e)
        return 1


if __name__ == "__main__":
    sys.exit(main())
