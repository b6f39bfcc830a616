# SPDX-License-Identifier: GPL-2.0-only
"""Whether a kernel tree changed: a hash of every file's path, size,
mtime and inode, about a second for a whole tree.

A write through a hard link into the tree changes it.  .git is skipped:
it changes with every git command and says nothing about the sources.
"""

import hashlib
import os


def fingerprint(tree):
    h = hashlib.sha256()
    for root, dirs, files in os.walk(tree):
        dirs[:] = sorted(d for d in dirs if d != ".git")
        for name in sorted(files):
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
            except OSError:
                continue            # vanished while walking
            h.update(("%s\0%d\0%d\0%d\n" % (
                os.path.relpath(path, tree), st.st_size, st.st_mtime_ns,
                st.st_ino)).encode("utf-8", "surrogateescape"))
    return h.hexdigest()
