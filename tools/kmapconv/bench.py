# SPDX-License-Identifier: GPL-2.0-only
"""How much does the analysis cost over the bare minimum?

The floor is what any spatch-based tool must pay: grep for candidates
and run a bare search for the calls (find_calls.cocci) with the same
batching and parallelism.  The convert run is the full pipeline into a
throw-away OUT.  Runs alternate (floor, convert, floor, convert, ...) so
a warming page cache or a busy neighbour affects both alike, and the
minimum of each is compared.  Nothing asserts on the numbers.

A third pipeline is convert as make convert runs it, with kmap-audit
judging the rewrite, its results cache off too (KMAP_AUDIT_CACHE=0).
The audit's one-time setup per tree (every kernel configuration it
uses, kbuild's flags for every candidate file) is done and timed before
the runs, and reported apart.
"""

import json
import os
import shutil
import tempfile
import time

from kerneltree import audit

from . import (__version__, batches, candidates, convert, outdir, rerun_bench,
               settings, spatch)

FIND_CALLS = "find_calls.cocci"
AUDIT_CACHE_ENV = "KMAP_AUDIT_CACHE"


def _floor(target, jobs, find_cocci):
    start = time.monotonic()
    cand = candidates.find(target.ksrc, target.subsys, jobs)
    scratch = tempfile.mkdtemp(prefix="kmapconv-bench-")
    try:
        outcome = batches.run_files(
            target.ksrc, cand.files, cand.sizes, jobs,
            spatch.command(find_cocci), scratch, with_headers=False,
            focus=False)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return time.monotonic() - start, len(outcome.records)


def _convert(target, jobs, timeout, cocci, verify=False):
    tmp = tempfile.mkdtemp(prefix="kmapconv-bench-out-")
    saved = os.environ.get(AUDIT_CACHE_ENV)
    os.environ[AUDIT_CACHE_ENV] = "0"
    try:
        start = time.monotonic()
        # Cold: the floor has no cache either.
        findings = convert.convert(target, os.path.join(tmp, "out"), jobs,
                                   timeout, cocci,
                                   run_settings=settings.UNCACHED,
                                   verify=verify)
        return time.monotonic() - start, findings
    finally:
        if saved is None:
            os.environ.pop(AUDIT_CACHE_ENV, None)
        else:
            os.environ[AUDIT_CACHE_ENV] = saved
        shutil.rmtree(tmp, ignore_errors=True)


def _audit_setup(target, jobs):
    """(seconds, why not): the audit's one-time setup for the tree's
    candidate files; why not: "" when the audit can run."""
    if target.audit_unavailable:
        return 0.0, target.audit_unavailable
    start = time.monotonic()
    cand = candidates.find(target.ksrc, target.subsys, jobs)
    files = [p for p in cand.files if p.endswith(".c")]
    try:
        audit.ensure_built()
        audit.prepare(target.ksrc, files)
        # Which other configurations a file is audited under (its
        # architecture's, x86_64, one that builds an #if branch) follows
        # from its findings: auditing every candidate once prepares them
        # all, and the runs, with the results cache off, time none.
        audit.audit(target.ksrc, files, target.ksrc, jobs)
    except audit.AuditError as e:
        return time.monotonic() - start, str(e)
    return time.monotonic() - start, ""


def bench(target, out, jobs, timeout, cocci, find_cocci, repeat=2,
          reruns=True):
    """Time both pipelines, print a table, write OUT/bench.json.

    reruns: also measure the cache and 1 -> 2 job scaling
    (rerun_bench.py), under "reruns" in bench.json.
    """
    outdir.check(out, target.ksrc)
    setup_seconds, unavailable = _audit_setup(target, jobs)
    floor_times, convert_times, audited_times = [], [], []
    floor_calls = 0
    findings = phases = audited_phases = None
    for _ in range(max(1, repeat)):
        seconds, floor_calls = _floor(target, jobs, find_cocci)
        floor_times.append(seconds)
        seconds, findings = _convert(target, jobs, timeout, cocci)
        if not convert_times or seconds < min(convert_times):
            phases = findings.timings
        convert_times.append(seconds)
        if unavailable:
            continue
        seconds, judged = _convert(target, jobs, timeout, cocci, True)
        if not audited_times or seconds < min(audited_times):
            audited_phases = judged.timings
        audited_times.append(seconds)
    floor_min, convert_min = min(floor_times), min(convert_times)
    audited_min = min(audited_times) if audited_times else None
    result = {
        "version": __version__,
        "ksrc": target.label,
        "subsys": target.subsys,
        "jobs": jobs,
        "repeat": len(floor_times),
        "files_scanned": findings.scanned,
        "candidate_files": len(findings.candidates),
        "sites": len(findings.sites),
        "floor_calls": floor_calls,
        "failed_files": len(findings.failed),
        "floor_seconds": [round(t, 3) for t in floor_times],
        "convert_seconds": [round(t, 3) for t in convert_times],
        "floor_min": round(floor_min, 3),
        "convert_min": round(convert_min, 3),
        "ratio": round(convert_min / floor_min, 3) if floor_min else None,
        # The fastest convert, seconds by phase (convert.py's clock).
        "convert_phases": phases,
        # Convert with kmap-audit judging the rewrite, against plain
        # convert; its one-time setup apart.
        "audit_unavailable": unavailable,
        "audit_setup_seconds": round(setup_seconds, 3),
        "audited_seconds": [round(t, 3) for t in audited_times],
        "audited_min": None if audited_min is None else round(audited_min,
                                                              3),
        "audited_ratio": (round(audited_min / convert_min, 3)
                          if audited_min and convert_min else None),
        "audited_phases": audited_phases,
    }
    print(table(result))
    if reruns:
        result["reruns"] = rerun_bench.measure(target, jobs, timeout, cocci,
                                               repeat)
        print(rerun_bench.table(result["reruns"]))
    outdir.replace_file(out, "bench.json",
                        json.dumps(result, indent=2) + "\n")
    return result


def table(r):
    runs = " ".join("%8s" % ("run %d" % (i + 1)) for i in range(r["repeat"]))
    lines = [
        "kmapconv bench: %s in %s, %d jobs" % (r["subsys"], r["ksrc"],
                                                r["jobs"]),
        "%-8s %s %8s" % ("", runs, "min"),
    ]
    for name in ("floor", "convert"):
        lines.append("%-8s %s %7.2fs" % (
            name, " ".join("%7.2fs" % t for t in r[name + "_seconds"]),
            r[name + "_min"]))
    if r.get("audited_seconds"):
        lines.append("%-8s %s %7.2fs" % (
            "audited", " ".join("%7.2fs" % t for t in r["audited_seconds"]),
            r["audited_min"]))
    lines.append("ratio convert/floor: %s" % (
        "%.2f" % r["ratio"] if r["ratio"] is not None else "n/a"))
    if r.get("audit_unavailable"):
        lines.append("convert with the audit: not measured (%s)"
                     % r["audit_unavailable"])
    elif r.get("audited_ratio") is not None:
        lines.append("ratio audited/convert: %.2f (the audit's one-time "
                     "setup for the tree: %.2fs, not counted)"
                     % (r["audited_ratio"], r["audit_setup_seconds"]))
    if r.get("convert_phases"):
        lines.append("fastest convert: " + ", ".join(
            "%s %.2fs" % kv for kv in r["convert_phases"].items()))
    lines.append("files: %d scanned, %d candidates; sites: %d "
                 "(bare search found %d calls); failed files: %d"
                 % (r["files_scanned"], r["candidate_files"], r["sites"],
                    r["floor_calls"], r["failed_files"]))
    return "\n".join(lines)
