# SPDX-License-Identifier: GPL-2.0-only
"""make bench-review: time the review of a 10-file patch, end to end.

The patch is built from upstream's own conversions (upstream.py): the
functions upstream converted between Debian's 6.1 and 6.12 trees in the
first FILES files that have any, as a patch against 6.1.  KSRC is the
whole 6.1 tree (so the audit sees real headers).

Each run is the command line a user types (a new Python process), with
its parts (apply, classify, audit, check) from --timings; classify and
audit run at the same time, so the parts add up to more than the total.
The floor, measured in the same run, is one bare spatch search of the
same files (semantic-patches/find_calls.cocci, same jobs): the least any
review that looks at the sites with spatch must spend.

A warm-up review runs first (the audit prepares its flags cache once per
tree).  Then, RUNS times each, alternating: a cold review (--no-cache:
spatch analyses every file again), the floor, and a warm review (the
converter's per-file results cache, as after a "make convert" of the
tree).  The fastest of each counts; the cold review is the headline.
CPU seconds (this process's children) are reported too: on a shared
machine the wall time also measures the neighbours.
"""

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

from kerneltree import checkout
from kmapconv import batches, deps, ksrc, spatch
from kerneltree.cliargs import default_jobs as _default_jobs
from kerneltree.cliargs import positive as _jobs
from kmapconv.errors import KmapconvError

from . import upstream

DIRS = ["fs/nilfs2", "fs/ecryptfs", "fs/jbd2", "fs/erofs", "fs/minix",
        "fs/sysv", "fs/qnx6", "fs/ceph"]
NEW_TARBALL = "/usr/src/linux-source-6.12.tar.xz"
FILES = 10
RUNS = 2
TARGET = 15.0           # seconds, end to end


def _patch(old_tree, jobs):
    new_tree = ksrc.unpack_subset(NEW_TARBALL, None, DIRS)
    funcs = upstream.converted_functions(old_tree, new_tree, DIRS, jobs)
    files = sorted({f for f, _n in funcs if f.endswith(".c")})[:FILES]
    text, posts, _done = upstream.build(
        old_tree, new_tree, [(f, n) for f, n in funcs if f in files])
    return text, sorted(posts)


def _review(patch, tree, jobs, scratch, n, cached):
    out = os.path.join(scratch, "out-%d" % n)
    timings = os.path.join(scratch, "timings-%d.json" % n)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [os.path.join(checkout.ROOT, d) for d in ("tools", "reports")]))
    start = time.monotonic()
    cpu = _child_cpu()
    proc = subprocess.run(
        [sys.executable, "-m", "kmapreview", "--patch", patch, "--ksrc",
         tree, "--out", out, "--jobs", str(jobs), "--timings", timings]
        + ([] if cached else ["--no-cache"]),
        env=env, capture_output=True, text=True)
    wall = time.monotonic() - start
    cpu = _child_cpu() - cpu
    if proc.returncode not in (0, 1):
        raise KmapconvError("the review failed: %s" % proc.stderr.strip())
    with open(timings) as f:
        parts = json.load(f)
    with open(os.path.join(out, "review.json")) as f:
        audit = json.load(f)["audit"]
    parts["end-to-end"] = round(wall, 3)
    parts["cpu"] = round(cpu, 3)
    return parts, audit, proc.stdout.strip()


def _child_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _floor(tree, files, jobs, scratch, n):
    work = os.path.join(scratch, "floor-%d" % n)
    os.makedirs(work)
    sizes = {f: os.path.getsize(os.path.join(tree, f)) for f in files}
    start = time.monotonic()
    batches.run_files(tree, files, sizes, jobs,
                     spatch.command(spatch.default_cocci("find_calls.cocci")),
                     work, with_headers=False)
    return round(time.monotonic() - start, 3)


def main(argv=None):
    p = argparse.ArgumentParser(prog="kmapreview.bench")
    p.add_argument("--ksrc", help="the 6.1 tree (default: Debian's, "
                   "unpacked once into the cache)")
    p.add_argument("--jobs", type=_jobs, default=_default_jobs())
    p.add_argument("--out", default=os.path.join("out", "bench-review"))
    args = p.parse_args(argv)
    try:
        deps.ensure(need_tarball=args.ksrc is None)
        tree = ksrc.validate_tree(args.ksrc or
                                  ksrc.unpack(deps.EVAL_BASE_TARBALL))
        text, files = _patch(tree, args.jobs)
        scratch = tempfile.mkdtemp(prefix="kmapreview-bench-")
        try:
            patch = os.path.join(scratch, "bench.patch")
            with open(patch, "w") as f:
                f.write(text)
            _review(patch, tree, args.jobs, scratch, 0, True)  # warm-up
            reviews, floors, warm = [], [], []
            for n in range(1, RUNS + 1):
                reviews.append(_review(patch, tree, args.jobs, scratch,
                                       2 * n, False))
                floors.append(_floor(tree, files, args.jobs, scratch, n))
                warm.append(_review(patch, tree, args.jobs, scratch,
                                    2 * n + 1, True))
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    except KmapconvError as e:
        print("kmapreview bench: %s" % e, file=sys.stderr)
        return 2
    load = os.getloadavg()[1]
    parts, audit, summary = min(reviews, key=lambda r: r[0]["end-to-end"])
    warm_parts = min(warm, key=lambda r: r[0]["end-to-end"])[0]
    floor = min(floors)
    result = {
        "files": len(files), "patch_lines": text.count("\n"),
        "jobs": args.jobs, "runs": RUNS, "parts": parts,
        "warm_parts": warm_parts,
        "floor_find_calls": floor,
        "ratio": round(parts["end-to-end"] / floor, 2) if floor else None,
        "target_seconds": TARGET,
        "within_target": parts["end-to-end"] <= TARGET,
        "audit": audit, "summary": summary,
        "load_average_5min": round(load, 2), "cpus": os.cpu_count(),
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "bench.json"), "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    print("review bench: %d-file patch (%d lines), jobs %d, best of %d; "
          "load average %.1f on %d CPUs" % (
              len(files), result["patch_lines"], args.jobs, RUNS, load,
              os.cpu_count()))
    print("| part | cold (s) | warm cache (s) |")
    print("| --- | --- | --- |")
    for key in ("apply", "classify", "audit", "check", "total",
                "end-to-end", "cpu"):
        print("| %s | %.2f | %.2f |" % (key, parts.get(key, 0),
                                        warm_parts.get(key, 0)))
    print("| floor (bare spatch find_calls) | %.2f | |" % floor)
    print("cold end to end %.2f s (target <= %.0f s: %s), %.2f x the floor; "
          "audit %s%s" % (parts["end-to-end"], TARGET,
                          "met" if result["within_target"] else "MISSED",
                          result["ratio"] or 0, audit["status"],
                          " (%s)" % audit["detail"] if audit["detail"]
                          else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
