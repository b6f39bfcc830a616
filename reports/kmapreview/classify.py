# SPDX-License-Identifier: GPL-2.0-only
"""The converter's judgement on the files before and after the patch.

The converter's semantic patch (semantic-patches/kmap_local.cocci) runs
through the converter's own driver (kmapconv.batches.run_files), once
over the pre-patch files (-D json: every legacy site with its class and
reasons) and once over the post-patch files in patch mode (what is
left, and the diff the converter would make of it).  The two runs are
independent and go at the same time.

Both runs use the converter's own command line (patch mode, JSON
records) and its per-file results cache (kmapconv.cache), keyed by the
content of the file and its local headers: a file reviewed before (or,
after the patch, converted before) comes from the cache, and a stale
entry is never used.  The pre-patch files are the reduced copies of
reduce.py.
"""

import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from kmapconv import batches, cache, pointercalls, sites, spatch

COCCI = "kmap_local.cocci"


@dataclass
class Verdicts:
    """Sites by file, and what spatch could not analyse."""
    sites: dict = field(default_factory=dict)    # file -> [site]
    diffs: dict = field(default_factory=dict)    # file -> diff section
    failed: dict = field(default_factory=dict)   # file -> reason


def _run(tree, files, jobs, timeout, cocci, use_cache):
    verdicts = Verdicts()
    if not files:
        return verdicts
    sizes = {f: os.path.getsize(os.path.join(tree, f)) for f in files}
    # The views spatch reads are reduced: the semantic patch must not
    # resolve function pointers by reading their directory.
    argv = pointercalls.told(
        spatch.command(cocci, timeout, defines=("json",), patch=True))
    results = cache.ResultCache.for_command(argv, timeout) if use_cache \
        else None
    scratch = tempfile.mkdtemp(prefix="kmapreview-spatch-")
    try:
        outcome = batches.run_files(tree, files, sizes, jobs, argv, scratch,
                                   result_cache=results)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for site in sites.merge_duplicates(
            [sites.normalise(obj) for obj in outcome.records]):
        verdicts.sites.setdefault(site["file"], []).append(site)
    verdicts.diffs = dict(outcome.diffs)
    verdicts.failed = dict(outcome.failed)
    return verdicts


def classify(pre_tree, pre_files, post_tree, post_files, jobs, timeout,
             use_cache=True, cocci=None):
    """(pre Verdicts, post Verdicts) for the given files of each tree.

    Both runs share the jobs: each spatch process pays a fixed start-up
    (about half a second for this semantic patch), and the driver makes
    several batches per job, so two runs of `jobs` each would start
    twice as many processes as there are cores to keep busy.
    """
    cocci = cocci or spatch.default_cocci(COCCI)
    if not (pre_files and post_files):
        return (_run(pre_tree, pre_files, jobs, timeout, cocci, use_cache),
                _run(post_tree, post_files, jobs, timeout, cocci, use_cache))
    share = max(1, jobs // 2)
    with ThreadPoolExecutor(max_workers=2) as pool:
        pre = pool.submit(_run, pre_tree, pre_files, share, timeout, cocci,
                          use_cache)
        post = pool.submit(_run, post_tree, post_files, max(1, jobs - share),
                           timeout, cocci, use_cache)
        return pre.result(), post.result()
