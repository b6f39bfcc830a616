# SPDX-License-Identifier: GPL-2.0-only
"""One review, start to end: read the input, apply it in memory, build
the scratch trees, classify, audit, check, and place the findings.

KSRC is only read.  The scratch trees (link farms) live in a temporary
directory that is removed when the review ends, whatever happens.
"""

import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from kmapconv import coverage, groups, ksrc as kernel_tree, spatch
from kmapconv.errors import KmapconvError
from kmapconv.evaluate import LEGACY

from kerneltree import linkfarm

from . import (__version__, applier, audit, checks, classify, gitrange,
               mapcalls, model, patchfile, reduce, rules, scope)


@dataclass
class Request:
    ksrc: str
    patch: str = None           # a patch file, or
    base: str = None            # a commit range in the git tree ksrc
    head: str = None
    jobs: int = 2
    timeout: int = spatch.DEFAULT_TIMEOUT
    reviewer: str = ""
    audit: bool = True          # False: report the audit as switched off
    cache: bool = True          # reuse the converter's spatch results


@dataclass
class Outcome:
    review: model.Review
    timings: dict = field(default_factory=dict)   # part -> seconds


class _Clock:
    def __init__(self):
        self.parts = {}
        self._start = time.monotonic()

    def lap(self, name, since):
        self.parts[name] = round(time.monotonic() - since, 3)
        return time.monotonic()

    def total(self):
        self.parts["total"] = round(time.monotonic() - self._start, 3)
        return self.parts


def _read_patch(path):
    if not os.path.exists(path):
        raise KmapconvError("PATCH %s does not exist" % path)
    if os.path.isdir(path):
        raise KmapconvError("PATCH %s is a directory, not a patch" % path)
    text = linkfarm.read_text(path)
    if "\0" in text:
        raise KmapconvError("PATCH %s is not a patch: it is binary" % path)
    return text.replace("\r\n", "\n")


class _Input:
    """Where the original files and the patch come from."""

    def __init__(self, req, ksrc_real):
        self.ksrc = ksrc_real
        self.commits = []
        if req.patch is not None:
            self.label = "PATCH %s" % req.patch
            self.messages = patchfile.parse(_read_patch(req.patch),
                                            "PATCH %s" % req.patch)
            self.rev_of = {"pre": None, "post": None}
            return
        gitrange.check_repo(ksrc_real)
        base = gitrange.commit(ksrc_real, req.base, "BASE")
        head = gitrange.commit(ksrc_real, req.head, "HEAD")
        self.label = "%s..%s" % (req.base, req.head)
        self.commits = [list(c) for c in
                        gitrange.subjects(ksrc_real, base, head)]
        text = gitrange.diff(ksrc_real, base, head)
        if not text.strip():
            raise KmapconvError("BASE %s and HEAD %s have the same tree: "
                                "nothing to review" % (req.base, req.head))
        self.messages = patchfile.parse(text, self.label)
        self.rev_of = {"pre": base, "post": head}

    def read(self, path, which="pre"):
        rev = self.rev_of[which]
        if rev is None:
            return linkfarm.read_text(os.path.join(self.ksrc, path))
        return gitrange.show(self.ksrc, rev, path)


def _removes_legacy(fs):
    """Does the patch remove a kmap()/kmap_atomic() call from the file?
    Only then are its pre-patch sites needed."""
    return any(hl.kind == "-" and set(mapcalls.calls(hl.text)) & LEGACY
               for _m, hunk in fs.hunks for hl in hunk.lines)


def _touched_legacy(fs):
    """Does a touched function call kmap()/kmap_atomic() after the
    patch?  Only then is the post-patch file worth classifying."""
    if not fs.post_text:
        return False
    calls = coverage.scan_text(fs.post_text).calls
    return any(fs.post_function(line) for line in calls)


def _is_c(path):
    return path.endswith((".c", ".h"))


def _build_farms(inp, applied, scopes, scratch):
    """(pre farm, post farm): KSRC with the files of the review in their
    pre- and post-patch state (and, for a commit range, their local
    headers at BASE and HEAD).  The pre-patch C files are only
    classified, so they are reduced (reduce.py)."""
    pre = linkfarm.LinkFarm(inp.ksrc, os.path.join(scratch, "pre"))
    post = linkfarm.LinkFarm(inp.ksrc, os.path.join(scratch, "post"))
    for path, text in applied.post.items():
        post.write(path, text)
    post.retarget_compdb()
    for fs in scopes.values():
        if fs.pre_path and fs.pre_text is not None:
            pre.write(fs.pre_path, reduce.for_classification(fs.pre_text)
                      if _is_c(fs.pre_path) else fs.pre_text)
    if inp.rev_of["pre"] is not None:
        for tree, which in ((pre, "pre"), (post, "post")):
            written = set(applied.post) if which == "post" else \
                {fs.pre_path for fs in scopes.values()}
            for path in sorted(p for p in written if p):
                for header in groups.local_headers(tree.root, path):
                    if header not in written:
                        text = inp.read(header, which)
                        if text is not None:
                            tree.write(header, text)
    return pre, post


def _anchor(messages, f):
    """Where in the patch review.txt puts finding f (see model.Finding):
    the hunk line that is f's line, an added one first and the latest
    message first; else after the nearest hunk of its file."""
    exact = near = None
    for mi in range(len(messages) - 1, -1, -1):
        for fi, fd in enumerate(messages[mi].files):
            if fd.new_path != f.file:
                continue
            for hi, hunk in enumerate(fd.hunks):
                here = dict(message=mi, file=fi, hunk=hi, line=None)
                news = [hl.new for hl in hunk.lines if hl.new is not None]
                for li, hl in enumerate(hunk.lines):
                    if hl.new == f.line:
                        rank = 0 if hl.kind == "+" else 1
                        if exact is None or rank < exact[0]:
                            exact = (rank, dict(here, line=li))
                if news:
                    dist = min(abs(n - f.line) for n in news)
                    if near is None or dist < near[0]:
                        near = (dist, here)
    if exact:
        return exact[1]
    return near[1] if near else None


def _stats(messages, scopes, ctx):
    hunks = [h for m in messages for fd in m.files for h in fd.hunks]
    return {
        "messages": len(messages),
        "files": len({fd.path for m in messages for fd in m.files}),
        "hunks": len(hunks),
        "relevant_hunks": sum(h.relevant for h in hunks),
        "functions": sum(len({f.name for f in fs.pre_funcs + fs.post_funcs})
                         for fs in scopes.values()),
        "converted": len(ctx.converted),
    }


def _dedupe(findings):
    """One finding per kind and line: the review's own unmap-arg check
    and the audit's may both see the same unmap."""
    seen, out = set(), []
    for f in sorted(findings, key=model.Finding.sort_key):
        key = (f.kind, f.file, f.line) + (
            () if f.kind in rules.AUDIT_KINDS else (f.message,))
        if key not in seen:
            seen.add(key)
            out.append(f)
    return out


def _timed(fn, *args):
    start = time.monotonic()
    value = fn(*args)
    return value, round(time.monotonic() - start, 3)


def _audit(req, tree, files, ksrc_real, jobs, gate):
    if not req.audit:
        return audit.AuditResult(model.AUDIT_UNAVAILABLE,
                                 "switched off with --no-audit")
    return audit.run(tree, files, ksrc_real, jobs, gate)


def run(req):
    """Review req; an Outcome.  Raises KmapconvError on bad input."""
    clock = _Clock()
    t = time.monotonic()
    ksrc_real = kernel_tree.validate_tree(req.ksrc)
    inp = _Input(req, ksrc_real)
    applied = applier.apply(inp.messages, inp.read, inp.label)
    mapcalls.mark_relevant(inp.messages)
    scopes = scope.build(inp.messages, applied)
    scratch = tempfile.mkdtemp(prefix="kmapreview-")
    try:
        pre_tree, post_tree = _build_farms(inp, applied, scopes, scratch)
        t = clock.lap("apply", t)
        pre_files = sorted(fs.pre_path for fs in scopes.values()
                           if fs.pre_path and _is_c(fs.pre_path)
                           and _removes_legacy(fs))
        post_files = sorted(fs.post_path for fs in scopes.values()
                            if fs.post_path and _is_c(fs.post_path)
                            and _touched_legacy(fs))
        audited = sorted(fs.post_path for fs in scopes.values()
                         if fs.post_path and fs.post_path.endswith(".c")
                         and fs.post_funcs)
        # The audit (libclang) and the classification (spatch) are
        # independent: they run at the same time, each timed alone, and
        # share the jobs (the driver starts several spatch processes per
        # job, each with a fixed start-up cost).  A job is a token of
        # gate: the classification holds its share while it runs, then
        # the audit, usually the longer, gets every job.
        auditing = req.audit and bool(audited)
        spatch_jobs = max(1, req.jobs // 2) if auditing else req.jobs
        gate = threading.Semaphore(max(req.jobs, spatch_jobs + 1))
        with ThreadPoolExecutor(max_workers=1) as pool:
            for _ in range(spatch_jobs):
                gate.acquire()
            try:
                audit_job = pool.submit(_timed, _audit, req, post_tree.root,
                                        audited, ksrc_real, req.jobs, gate)
                (pre, post), clock.parts["classify"] = _timed(
                    classify.classify, pre_tree.root, pre_files,
                    post_tree.root, post_files, spatch_jobs, req.timeout,
                    req.cache)
            finally:
                for _ in range(spatch_jobs):
                    gate.release()
            result, clock.parts["audit"] = audit_job.result()
        t = time.monotonic()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    ctx = checks.Context(scopes, pre, post, result)
    findings = _dedupe(checks.run_all(ctx))
    for f in findings:
        f.anchor = _anchor(inp.messages, f)
    review = model.Review(
        source=inp.label, ksrc=req.ksrc, version=__version__,
        messages=inp.messages, findings=findings,
        audit={"status": result.status, "detail": result.detail},
        commits=inp.commits, stats=_stats(inp.messages, scopes, ctx),
        reviewer=req.reviewer)
    clock.lap("check", t)
    return Outcome(review, clock.total())
