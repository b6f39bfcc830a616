# SPDX-License-Identifier: GPL-2.0-only
"""The kernel-overlay core (kernel-overlay/install.sh), when present.

Contract (helpers' contracts.md): "kernel-overlay/install.sh <tree>"
writes the overlay into a tree the caller owns, idempotently; it adds
the Kconfig option KMAP_LOCAL_TRACK, and a kernel with it on prints
"kmap_local: tracking enabled" at boot and "kmap_local: ..." reports.

The staging tree is a hard-linked copy of KSRC; a script that wrote a
file in place would write KSRC too.  So every file below the top-level
directories the overlay mirrors (kernel-overlay/<dir>/...) and every
Kconfig and Makefile of the tree is made private before the script runs;
BuildCopy.commit_staging() also checks KSRC's fingerprint afterwards.
"""

import os
import subprocess

from .errors import VmTestError
from .tree import private_copy

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
OVERLAY_DIR = os.path.join(TOP, "kernel-overlay")
INSTALL = os.path.join(OVERLAY_DIR, "install.sh")
OPTION = "KMAP_LOCAL_TRACK"


def present():
    return os.path.isfile(INSTALL)


def _mirrored_dirs(tree):
    """Top-level kernel directories that kernel-overlay/ mirrors."""
    dirs = []
    for name in sorted(os.listdir(OVERLAY_DIR)):
        if os.path.isdir(os.path.join(OVERLAY_DIR, name)) and \
                os.path.isdir(os.path.join(tree, name)):
            dirs.append(name)
    return dirs


def _protect(tree):
    """Make private the files install.sh could plausibly write in place."""
    for top in _mirrored_dirs(tree):
        for root, _, files in os.walk(os.path.join(tree, top)):
            for name in files:
                private_copy(os.path.join(root, name))
    for root, dirs, files in os.walk(tree):
        dirs[:] = [d for d in dirs if d not in (".git", "Documentation")]
        for name in files:
            if name.startswith(("Kconfig", "Makefile", "Kbuild")):
                private_copy(os.path.join(root, name))


def install(tree):
    """Run install.sh on tree; True if the tree now has KMAP_LOCAL_TRACK."""
    _protect(tree)
    proc = subprocess.run(["bash", INSTALL, tree], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        lines = (proc.stderr + proc.stdout).strip().splitlines()
        raise VmTestError("kernel-overlay/install.sh failed: %s"
                          % (lines[-1] if lines else
                             "exit %d" % proc.returncode))
    return has_option(tree)


def has_option(tree):
    pattern = "config " + OPTION
    for root, dirs, files in os.walk(tree):
        dirs[:] = [d for d in dirs if d not in (".git", "Documentation",
                                                "tools", "scripts")]
        for name in files:
            if name.startswith("Kconfig"):
                with open(os.path.join(root, name), errors="replace") as f:
                    if any(line.strip() == pattern for line in f):
                        return True
    return False
