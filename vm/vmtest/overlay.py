# SPDX-License-Identifier: GPL-2.0-only
"""The kernel-overlay core (kernel-overlay/install.sh), when present.

Contract (docs/contracts.md, "Kernel overlay install"):
"kernel-overlay/install.sh <tree>"
writes the overlay into a tree the caller owns, idempotently; it adds
the Kconfig option KMAP_LOCAL_TRACK, and a kernel with it on prints
"kmap_local: tracking enabled" at boot and "kmap_local: ..." reports.

The staging tree is a hard-linked copy of KSRC.  install.sh replaces
the files it writes (it never writes in place), and vm-test also makes
private, before it runs, every file "install.sh --files" names; and
BuildCopy.commit_staging() checks KSRC's fingerprint afterwards.
"""

import os
import subprocess

from kerneltree import checkout

from .errors import VmTestError
from .tree import private_copy

TOP = checkout.ROOT
OVERLAY_DIR = os.path.join(TOP, "kernel-overlay")
INSTALL = os.path.join(OVERLAY_DIR, "install.sh")
OPTION = "KMAP_LOCAL_TRACK"


def present():
    return os.path.isfile(INSTALL)


def _protect(tree):
    """Make private the files install.sh says it writes."""
    proc = subprocess.run(["bash", INSTALL, "--files"], capture_output=True,
                          text=True, stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        raise VmTestError("kernel-overlay/install.sh --files failed: %s"
                          % proc.stderr.strip())
    for rel in proc.stdout.split():
        private_copy(os.path.join(tree, rel))


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
