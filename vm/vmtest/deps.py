# SPDX-License-Identifier: GPL-2.0-only
"""The Debian packages a vm-test run needs (also in .ci/packages/vm).

As root the missing ones are installed with apt-get, as the converter
does; otherwise the one command to run is named.
"""

import os
import shutil
import subprocess

from .errors import VmTestError

# (package, a program or file it installs)
BASE = [
    ("qemu-system-x86", "qemu-system-i386"),
    ("ccache", "ccache"),
    ("gcc", "gcc"),
    ("gcc-multilib", "/usr/lib32/libc.a"),
    ("make", "make"),
    ("patch", "patch"),
    ("flex", "flex"),
    ("bison", "bison"),
    ("bc", "bc"),
    ("libelf-dev", "/usr/include/libelf.h"),
]


def _have(what):
    return os.path.exists(what) if what.startswith("/") else \
        bool(shutil.which(what))


def missing(filesystems):
    need = list(BASE)
    for fs in filesystems:
        need += [(fs.package, argv[0]) for argv in (fs.make, fs.fsck,
                                                    fs.dump) if argv]
    return list(dict.fromkeys(pkg for pkg, what in need if not _have(what)))


def ensure(filesystems):
    packages = missing(filesystems)
    if not packages:
        return
    command = ["apt-get", "install", "-y", "--no-install-recommends"] \
        + packages
    if os.geteuid() != 0:
        raise VmTestError("missing Debian packages; run: sudo "
                          + " ".join(command))
    proc = subprocess.run(command, capture_output=True, text=True,
                          env=dict(os.environ,
                                   DEBIAN_FRONTEND="noninteractive"))
    if proc.returncode != 0 or missing(filesystems):
        raise VmTestError("could not install %s: %s" % (
            " ".join(packages), (proc.stderr.strip().splitlines()
                                 or ["exit %d" % proc.returncode])[-1]))
