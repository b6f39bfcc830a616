# SPDX-License-Identifier: GPL-2.0-only
"""Python work on many files, spread over the cores.

Reducing the candidates before spatch and scanning them for coverage
after it are pure Python, on hundreds of files of a whole tree, while
the cores are otherwise idle; threads would wait on one another.
"""

import multiprocessing


def map_files(func, items, jobs):
    """[func(item) for item in items], by up to jobs forked processes
    (func and its results must pickle: a module-level function)."""
    items = list(items)
    if jobs < 2 or len(items) < 2:
        return [func(item) for item in items]
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        return pool.map(func, items,
                        chunksize=max(1, len(items) // (4 * jobs)))
