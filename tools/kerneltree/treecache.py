# SPDX-License-Identifier: GPL-2.0-only
"""A kept copy of a kernel tree in the cache (verify's build tree,
vm-test's build copy): the entry's name, the check that the entry and
the tree lie apart, and the lock that lets one command at a time use it.
"""

import fcntl
import hashlib
import os
import sys


def entry_name(ksrc_real):
    """The name of the cache entry of the tree at ksrc_real."""
    return hashlib.sha256(ksrc_real.encode("utf-8", "surrogateescape")
                          ).hexdigest()[:16]


def overlap(ksrc_real, cache_dir):
    """Whether one of the two directories holds the other (the cache is
    wiped and refilled with links: it must not hold the tree, nor lie in
    it)."""
    a, b = os.path.realpath(ksrc_real), os.path.realpath(cache_dir)
    return any(inner == outer or inner.startswith(outer + os.sep)
               for inner, outer in ((a, b), (b, a)))


def lock(path, waiting):
    """Hold an exclusive lock on path (created if need be); waiting is
    printed to stderr when another process holds it.  The open descriptor:
    unlock() releases it."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(waiting, file=sys.stderr, flush=True)
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def unlock(fd):
    """Release a lock() (None: nothing held)."""
    if fd is not None:
        os.close(fd)
