#!/usr/bin/env python3
# compile-installed.py: byte-compiles the installed Python layer.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Run by meson at install time with the installed paths (files or
# folders); honours DESTDIR as meson sets it.

import compileall
import os
import sys

destdir = os.environ.get('DESTDIR', '')
ok = True
for path in sys.argv[1:]:
    if destdir:
        path = os.path.join(destdir, os.path.relpath(path, os.sep))
    if os.path.isdir(path):
        ok = compileall.compile_dir(path, quiet=1) and ok
    else:
        ok = compileall.compile_file(path, quiet=1) and ok
sys.exit(0 if ok else 1)
