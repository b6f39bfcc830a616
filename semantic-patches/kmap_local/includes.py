# SPDX-License-Identifier: GPL-2.0-only
"""A file's local headers: the ones it includes with #include "..." that
exist beside it.  make convert gives spatch each file with them (one
group), since an unmap helper is often a static inline function there;
the semantic patch checks that it saw them.  (Loaded on its own by the
driver too: imports no sibling.)"""

import os
import re

LOCAL_INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def local_headers(root, path):
    """Headers path (relative to root) includes with #include "..." that
    exist beside it, relative to root."""
    try:
        with open(os.path.join(root, path), errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    found = []
    for name in LOCAL_INCLUDE_RE.findall(text):
        rel = os.path.normpath(os.path.join(os.path.dirname(path), name))
        if rel.startswith("..") or rel == path or rel in found:
            continue
        if os.path.isfile(os.path.join(root, rel)):
            found.append(rel)
    return found
