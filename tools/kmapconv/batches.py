# SPDX-License-Identifier: GPL-2.0-only
"""Split candidate files into spatch batches of similar total size.

Each spatch process pays a fixed start-up: about 0.7 s for parsing
kmap_local.cocci and starting its Python, more than a reduced file
(reduce.py) costs to analyse.  So files are grouped, but one batch per
job would leave cores idle behind the batch holding the biggest file,
and a failed batch is re-run file by file.  Two batches per job, filled
largest file first into the lightest batch (LPT greedy), keeps every
job busy until close to the end.
"""

import heapq

BATCHES_PER_JOB = 2


def split(files, sizes, jobs):
    """Return a list of non-empty batches (lists of paths)."""
    if not files:
        return []
    count = max(1, min(len(files), BATCHES_PER_JOB * max(1, jobs)))
    heap = [(0, i) for i in range(count)]
    batches = [[] for _ in range(count)]
    # Ties broken by path, so the same input always gives the same split.
    for path in sorted(files, key=lambda p: (-sizes.get(p, 0), p)):
        load, i = heapq.heappop(heap)
        batches[i].append(path)
        heapq.heappush(heap, (load + max(1, sizes.get(path, 0)), i))
    return [sorted(b) for b in batches if b]
