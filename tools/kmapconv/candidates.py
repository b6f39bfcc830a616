# SPDX-License-Identifier: GPL-2.0-only
"""Which files spatch has to look at.

Running spatch on every file of the kernel would take hours; only files
that textually mention kmap( or kmap_atomic( can contain a site, and
grep finds those in about a second on the whole tree.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from . import run


@dataclass
class Candidates:
    scanned: int                  # .c/.h files under SUBSYS
    files: list                   # candidate paths relative to KSRC, sorted
    sizes: dict                   # path -> size in bytes (for batching)
    unreadable: list = field(default_factory=list)   # (path, message)


def count_sources(ksrc, subsys):
    """Number of regular .c/.h files under subsys, symlinks not followed
    (the same files grep -r looks at)."""
    count = 0
    stack = [os.path.join(ksrc, subsys)]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif (entry.name.endswith((".c", ".h"))
                          and entry.is_file(follow_symlinks=False)):
                        count += 1
        except OSError:
            pass        # grep reports unreadable directories for us
    return count


def find(ksrc, subsys, jobs=1):
    """Candidate files of subsys (relative to the real KSRC path ksrc),
    grep'ed by jobs processes."""
    # The count walks the tree while grep reads it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanned = pool.submit(count_sources, ksrc, subsys)
        files, problems = run.grep_candidates(ksrc, subsys, jobs)
        scanned = scanned.result()
    sizes = {}
    for path in files:
        try:
            sizes[path] = os.path.getsize(os.path.join(ksrc, path))
        except OSError as e:
            problems.append((path, e.strerror))
    return Candidates(scanned=scanned,
                      files=sorted(sizes), sizes=sizes,
                      unreadable=sorted(problems))
