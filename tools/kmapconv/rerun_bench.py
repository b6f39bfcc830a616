# SPDX-License-Identifier: GPL-2.0-only
"""What the cache saves, and what a second job buys (part of make bench).

- cold: convert with an empty cache (spatch on every candidate,
  get_maintainer.pl for every patch);
- warm: the same again, nothing changed (target: at most 10% of cold);
- one edit: one candidate file changed, then convert (only that file
  is analysed again);
- jobs: convert without the cache with 1 job and with 2, alternating,
  repeat times each, the fastest of each compared; the 1 -> 2
  efficiency is t1 / (2 * t2) (1.0: twice as fast).  Other work on the
  machine skews it most, so the load average is recorded with it.

The runs use a private hard-linked copy of KSRC (cp -al: no data is
copied) so that one file can be edited without touching KSRC, and a
private cache directory, so neither the user's cache nor KSRC change.
Nothing asserts on the numbers.
"""

import os
import shutil
import tempfile
import time

from . import convert, ksrc, run, settings
from .errors import KmapconvError

EDIT_MARK = "\n/* kmapconv bench: an edit */\n"


def _private_tree(target, parent):
    """A copy of target.ksrc under parent that may be edited."""
    dst = os.path.join(parent, "tree")
    problem = run.copy_tree(target.ksrc, dst, hardlink=True)
    if problem:
        shutil.rmtree(dst, ignore_errors=True)
        problem = run.copy_tree(target.ksrc, dst, hardlink=False)
    if problem:
        raise KmapconvError("cannot copy KSRC for the rerun bench: %s"
                            % problem)
    return convert.Target(dst, target.label, target.subsys)


def _edit(tree, path):
    """Append a comment to path, breaking its hard link first."""
    full = os.path.join(tree, path)
    with open(full, "rb") as f:
        data = f.read()
    os.unlink(full)
    with open(full, "wb") as f:
        f.write(data + EDIT_MARK.encode())


def _timed(target, out, jobs, timeout, cocci, run_settings):
    start = time.monotonic()
    findings = convert.convert(target, out, jobs, timeout, cocci,
                               run_settings=run_settings)
    return time.monotonic() - start, findings


def measure(target, jobs, timeout, cocci, repeat=2):
    """The numbers above, as a dict for bench.json."""
    known = {1: [], 2: []}
    load_before = os.getloadavg()[0]
    parent = tempfile.mkdtemp(prefix="bench-reruns-", dir=_scratch_parent())
    try:
        tree = _private_tree(target, parent)
        out = os.path.join(parent, "out")
        cached = settings.RunSettings(cache_dir=os.path.join(parent,
                                                             "cache"))
        cold, findings = _timed(tree, out, jobs, timeout, cocci, cached)
        warm, again = _timed(tree, out, jobs, timeout, cocci, cached)
        edited_file = _file_to_edit(findings)
        edited = analysed = None
        if edited_file:
            _edit(tree.ksrc, edited_file)
            edited, after = _timed(tree, out, jobs, timeout, cocci, cached)
            analysed = after.analysed
        # Alternating, so both see the same machine.
        for _ in range(max(1, repeat)):
            for n in (1, 2):
                known[n].append(_timed(tree, out, n, timeout, cocci,
                                       settings.UNCACHED)[0])
        known = {n: min(times) for n, times in known.items()}
    finally:
        shutil.rmtree(parent, ignore_errors=True)
    return {
        "cold_seconds": round(cold, 3),
        "warm_seconds": round(warm, 3),
        "warm_ratio": round(warm / cold, 4) if cold else None,
        "warm_analysed": again.analysed,
        "edited_file": edited_file,
        "edit_seconds": round(edited, 3) if edited is not None else None,
        "edit_ratio": round(edited / cold, 4) if edited and cold else None,
        "edit_analysed": analysed,
        "jobs1_seconds": round(known[1], 3),
        "jobs2_seconds": round(known[2], 3),
        "speedup_1_to_2": round(known[1] / known[2], 3)
        if known[2] else None,
        "efficiency_1_to_2": round(known[1] / (2 * known[2]), 3)
        if known[2] else None,
        # Other work on the machine skews the job scaling most: a second
        # job only helps when a second core is free.
        "cpus": os.cpu_count(),
        "loadavg_before": round(load_before, 2),
        "loadavg_after": round(os.getloadavg()[0], 2),
    }


def _scratch_parent():
    # Beside the kmapconv cache, where the default tree is unpacked:
    # the same file system, so cp -al can link instead of copy.
    parent = ksrc.cache_dir()
    os.makedirs(parent, exist_ok=True)
    return parent


def _file_to_edit(findings):
    """The candidate with the most sites: an edit that costs something."""
    counts = {}
    for site in findings.sites:
        counts[site["file"]] = counts.get(site["file"], 0) + 1
    if not counts:
        return findings.candidates[0] if findings.candidates else None
    return min(counts, key=lambda f: (-counts[f], f))


def table(r):
    def ratio(x):
        return "%.3f" % x if x is not None else "n/a"
    lines = [
        "cache: cold %.2fs; warm rerun %.2fs (%s of cold, %d files "
        "analysed)" % (r["cold_seconds"], r["warm_seconds"],
                       ratio(r["warm_ratio"]), r["warm_analysed"]),
    ]
    if r["edit_seconds"] is not None:
        lines.append("cache: one file edited (%s) %.2fs (%s of cold, %d "
                     "files analysed)" % (r["edited_file"],
                                          r["edit_seconds"],
                                          ratio(r["edit_ratio"]),
                                          r["edit_analysed"]))
    lines.append("jobs: 1 job %.2fs, 2 jobs %.2fs: speedup %s, 1 -> 2 "
                 "efficiency %s (%d CPUs, load average %.1f before, %.1f "
                 "after)" % (r["jobs1_seconds"], r["jobs2_seconds"],
                             ratio(r["speedup_1_to_2"]),
                             ratio(r["efficiency_1_to_2"]), r["cpus"],
                             r["loadavg_before"], r["loadavg_after"]))
    return "\n".join(lines)
