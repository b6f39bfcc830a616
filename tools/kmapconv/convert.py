# SPDX-License-Identifier: GPL-2.0-only
"""The convert command: candidates -> spatch -> coverage check -> OUT."""

import hashlib
import json
import os
import shutil
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from kerneltree import checkout
from kerneltree.mapapi import (FOLIO_ENV, PROVE_ENV, folio_forms_env,
                               tree_folio_forms)

from . import (__version__, auditgate, batches, cache, callees, candidates,
               coverage, deps, helpercallers, ksrc, outdir, pointercalls,
               pool, report, robust, series, settings, sites, spatch, stale)
from .errors import KmapconvError
from .findings import Findings

COCCI = "kmap_local.cocci"
AUDIT_JSON = "audit.json"


@dataclass
class Target:
    """A validated KSRC/SUBSYS pair."""
    ksrc: str          # real path of the kernel tree
    label: str         # how reports name it
    subsys: str        # relative to ksrc, "." for the whole tree
    # Why kmap-audit cannot judge the rewrite here ("" when it can).
    audit_unavailable: str = ""


def default_out(subsys):
    return os.path.join("out", "all" if subsys == "." else subsys)


def prepare(ksrc_arg, subsys_arg, need_audit=False):
    """Check dependencies and inputs; unpack the default tree if needed.

    need_audit: also what kmap-audit needs (True: convert --verify);
    None: that too if it can be had, else Target.audit_unavailable says
    why not.  Nothing is written to OUT before this has passed.
    """
    deps.ensure(need_tarball=ksrc_arg is None, need_audit=bool(need_audit))
    unavailable = ""
    if need_audit is None:
        try:
            deps.ensure(need_tarball=False, need_audit=True)
        except KmapconvError as e:
            unavailable = str(e)
    tarball = ksrc.default_source()[1] if ksrc_arg is None else (
        ksrc_arg if ksrc.is_tarball(ksrc_arg) else None)
    if tarball:
        # KSRC=/usr/src/linux-source-6.12.tar.xz works like the default
        # tree: unpacked once into the cache, never written.
        tree = ksrc.unpack(tarball)
        label = "%s (from %s)" % (ksrc.tree_name(tarball), tarball)
    else:
        tree = ksrc_arg
        label = os.path.abspath(ksrc_arg)
    real = ksrc.validate_tree(tree)
    return Target(real, label, ksrc.resolve_subsys(real, subsys_arg),
                  unavailable)


def check_cocci(path):
    if not os.path.isfile(path):
        raise KmapconvError("semantic patch %s not found" % path)
    return path


def _cocci_label(path):
    path = os.path.abspath(path)
    root = checkout.ROOT
    if path.startswith(root + os.sep):
        return os.path.relpath(path, root)
    return path


def rule_set_sha256(cocci):
    """One hash of the semantic patch and the rule files beside it (its
    Python module): what decides the rewrite, named in report.md."""
    h = hashlib.sha256()
    folder = os.path.dirname(os.path.abspath(cocci))
    for path in cache.rule_files(cocci):
        with open(path, "rb") as f:
            h.update(b"%s\0%d\0" % (os.path.relpath(path, folder).encode(),
                                    os.path.getsize(path)) + f.read())
    return h.hexdigest()


def collect_patch(outcome):
    """kmap-local.patch: spatch's diff sections, one per file, by path
    (-p1 from KSRC).  Files spatch failed on contribute nothing."""
    return "".join(outcome.diffs[path] for path in sorted(outcome.diffs)
                   if path not in outcome.failed)


def _read_source(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        return f.read()


def _scan(path):
    """coverage.scan_text() of a file, or the reason it cannot be read."""
    try:
        return coverage.scan_text(_read_source(path))
    except OSError as e:
        return e.strerror or str(e)


def _check_coverage(target, findings, jobs=1):
    """Fill in the calls spatch did not account for (see coverage.py);
    the files are scanned by up to jobs processes."""
    reported = defaultdict(Counter)
    for site in findings.sites:
        reported[site["file"]][site["line"]] += 1
    scans = pool.map_files(_scan, [os.path.join(target.ksrc, p)
                                   for p in findings.candidates], jobs)
    for path, scan in zip(findings.candidates, scans):
        if isinstance(scan, str):
            findings.unreadable.append((path, scan))
            continue
        seen = reported.get(path, {})
        findings.in_macros += [
            (path, cl) for cl in coverage.unreported(scan.in_macros, seen)]
        findings.in_if0 += [
            (path, cl) for cl in coverage.unreported(scan.in_if0, seen)]
        if path in findings.failed:
            # Nothing of a failed file is kept (see batches.py): all its
            # calls are listed under it.
            findings.failed_calls[path] = list(scan.calls.values())
        else:
            findings.unmatched += [
                (path, cl) for cl in coverage.unreported(scan.calls, seen)]
    findings.unreadable.sort()


def site_records(ksrc_dir, outcome):
    """The sites of a spatch outcome, in schema order; the rewrites of
    CRLF files are held back (their diffs leave outcome.diffs)."""
    callees.forget(outcome.records)
    pointercalls.forget(outcome.records)
    found = sites.merge_duplicates(
        [sites.normalise(obj) for obj in outcome.records])
    robust.hold_back_crlf(ksrc_dir, found, outcome.diffs)
    return found


def analyse(target, jobs, timeout, cocci, run_settings=None, verify=False):
    """Run the semantic patch over target; write nothing but scratch.

    run_settings (settings.RunSettings): cache, hosts, progress, size
    limit; default: settings.current().  verify: kmap-audit judges the
    rewrite (auditgate.py): True, it must; None, when it can (the
    default); False, not at all.  Its account goes to findings.audit.
    """
    run_settings = run_settings or settings.current()
    # Only the audit gate names denials (on its own spatch command line):
    # one inherited from the environment would change results behind
    # the cache's back.
    os.environ.pop(auditgate.DENY_ENV, None)
    findings = Findings(
        ksrc_label=target.label, subsys=target.subsys, version=__version__,
        kernel_version=ksrc.kernel_version(target.ksrc),
        cocci_label=_cocci_label(cocci), cocci_sha256=rule_set_sha256(cocci))
    clock = _Clock(findings.timings)
    cand = candidates.find(target.ksrc, target.subsys, jobs)
    clock.lap("candidates")
    findings.scanned = cand.scanned
    findings.candidates = cand.files
    findings.unreadable = list(cand.unreadable)
    # spatch reads reduced copies outside the tree: it is told which
    # folio forms the tree defines.
    plain = auditgate.with_env(
        spatch.command(cocci, timeout, defines=("json",), patch=True),
        FOLIO_ENV, folio_forms_env(tree_folio_forms(target.ksrc)))
    judge = verify is not False and not target.audit_unavailable
    # With the audit to judge them, sites only paths kept from a rewrite
    # are rewritten for it to prove.
    argv = auditgate.with_env(plain, PROVE_ENV, "1") if judge else plain
    runner = run_settings.runner()
    # (Every run is told the function-pointer targets, none at first:
    # run alone, the semantic patch would read the view's directory.)
    argv, plain = pointercalls.told(argv), pointercalls.told(plain)
    first = callees.told(argv)
    result_cache = run_settings.result_cache(first, timeout)
    scratch = tempfile.mkdtemp(prefix="kmapconv-")
    try:
        outcome = batches.run_files(
            target.ksrc, cand.files, cand.sizes, jobs, first, scratch,
            result_cache=result_cache, runner=runner,
            max_bytes=run_settings.max_bytes,
            batch_slack=run_settings.batch_slack,
            min_batch_bytes=run_settings.min_batch_bytes)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    clock.lap("spatch batches")
    findings.timings["reduced copies"] = round(outcome.view_seconds, 3)
    findings.timings["spatch batches"] -= findings.timings["reduced copies"]
    findings.failed = outcome.failed
    findings.batches = outcome.batches
    findings.reruns = outcome.reruns
    findings.cached = outcome.cached
    findings.analysed = outcome.analysed
    findings.hosts = dict(outcome.hosts) if runner.names else {}
    clock.lap()
    argv, plain = callees.settle(target.ksrc, outcome, [argv, plain], jobs,
                                 timeout, run_settings)
    clock.lap("linear-map callees")
    argv, plain = pointercalls.settle(target.ksrc, outcome, [argv, plain],
                                      jobs, timeout, run_settings)
    clock.lap("function-pointer targets")
    if judge:
        try:
            findings.audit = auditgate.gate(
                target.ksrc, outcome, argv, timeout, jobs, run_settings,
                lambda o: site_records(target.ksrc, o), collect_patch)
        except auditgate.Unavailable as e:
            if verify:
                raise       # a KmapconvError: one line, exit status 2
            findings.audit = auditgate.without_audit(
                target.ksrc, outcome, plain, timeout, jobs, run_settings,
                str(e))
        clock.lap("audit")
    elif verify is None:
        findings.audit = auditgate.unavailable_summary(
            target.audit_unavailable, [])
    findings.sites = site_records(target.ksrc, outcome)
    helpercallers.name_callers(target.ksrc, findings.sites)
    findings.patch = collect_patch(outcome)
    findings.stale_comments = stale.comments(target.ksrc, findings.patch)
    _check_coverage(target, findings, jobs)
    clock.lap("merge and coverage")
    return findings


class _Clock:
    """Seconds since the last lap, added to timings under a name (none:
    not counted)."""

    def __init__(self, timings):
        self.timings = timings
        self.last = time.monotonic()

    def lap(self, name=None):
        now = time.monotonic()
        if name is not None:
            self.timings[name] = round(
                self.timings.get(name, 0) + now - self.last, 3)
        self.last = now


def outputs(findings, ksrc=None, author=None, jobs=None, answers=None,
            out=None):
    """The files of OUT, by name; series/ is a directory of them.

    ksrc: the tree whose scripts/get_maintainer.pl gives the Cc: lines;
    answers: its answers, cached (maintainers.Answers); out: OUT, whose
    make verify results the cover letter reports.
    """
    return {
        "sites.jsonl": "".join(sites.dumps(s) + "\n"
                               for s in findings.sites),
        "kmap-local.patch": findings.patch,
        "report.md": report.render(findings, series.testing(findings,
                                                             out)),
        series.DIRNAME: series.render(findings, ksrc, author, jobs=jobs,
                                      answers=answers, out=out),
        # Without --verify an audit.json of an earlier run would
        # describe another patch: it goes.
        AUDIT_JSON: (None if findings.audit is None else json.dumps(
            findings.audit, indent=2, ensure_ascii=False) + "\n"),
    }


def convert(target, out, jobs, timeout, cocci, author=None,
            run_settings=None, verify=False):
    """Analyse target and replace OUT with the results.

    author: From: and Signed-off-by: of the series (see series.py).
    run_settings, verify: see analyse().
    """
    outdir.check(out, target.ksrc)
    author = series.resolve_author(author)     # a bad one fails early
    if run_settings is None:
        findings = analyse(target, jobs, timeout, cocci, verify=verify)
        run_settings = settings.current()
    else:
        findings = analyse(target, jobs, timeout, cocci, run_settings,
                           verify)
    clock = _Clock(findings.timings)
    files = outputs(findings, target.ksrc, author, jobs,
                    run_settings.maintainer_answers(target.ksrc), out)
    clock.lap("outputs (series with Cc: lines)")
    outdir.publish(out, files)
    clock.lap("publish")
    return findings
