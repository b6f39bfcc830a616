# SPDX-License-Identifier: GPL-2.0-only
"""Run a semantic patch over candidate files, in parallel batches.

spatch is started once per batch (GNU parallel keeps JOBS of them
busy).  Each file is its own group in the --file-groups list (spatch
would otherwise match a rule across all files of a group at once),
joined by the local headers it includes ("x.h" next to it): the
semantic patch looks there for the unmap helper that pairs with a map
(e.g. a static inline put_page-style helper).  A context header is
listed as "./path" so that its sites, which spatch reports under that
spelling, can be told apart and dropped: the header reports its own
sites when it is a candidate itself, from its own group.  Without that,
a header that is both a candidate and context in the same batch would be
reported twice, maybe differently, and results would depend on how the
files happen to be batched (i.e. on --jobs).

A batch that fails (non-zero exit, timeout, crash) is re-run file by
file, so one bad file costs only itself; files that still fail are
returned with the reason, never dropped silently.
"""

import json
import os
import re
import time
from collections import Counter
from dataclasses import dataclass, field

from . import batches, cache, pool, reduce, run
from .errors import KmapconvError

DEFAULT_TIMEOUT = 120
# spatch's --timeout bounds parsing and matching of each file, but not
# all of the semantic patch's Python (a finalize rule, say): a file can
# keep a batch busy for an hour.  So each batch also has a wall-clock
# limit, enforced by GNU parallel (--timeout): the spatch timeout plus
# DEFAULT_BATCH_SLACK seconds per file and two more for start-up.  A
# batch over it fails as a timeout, and its files are run alone, each
# with the limit of one file.
DEFAULT_BATCH_SLACK = 15

# What in spatch's stderr means a file was not (fully) processed even
# when the exit status is 0: spatch reports per-file timeouts as
# "EXN: ...Timeout in FILE" and carries on.
_FAILURE_RE = re.compile(
    r"\btimeout\b|\bfatal error\b|^EXN:|^Traceback|Error in Python script",
    re.I | re.M)
_TIMEOUT_RE = re.compile(r"\btimeout\b", re.I)
TIMEOUT = cache.TIMEOUT_REASON


def repo_root():
    """The checkout this package lives in (tools/kmapconv/ -> ../..)."""
    return os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))


def default_cocci(name):
    """semantic-patches/<name> of the checkout, else of the cwd (for an
    installed package run from a checkout)."""
    for base in (repo_root(), os.getcwd()):
        path = os.path.join(base, "semantic-patches", name)
        if os.path.isfile(path):
            return path
    return os.path.join(repo_root(), "semantic-patches", name)


# In patch mode the semantic patch writes its JSON records to the file
# this variable names (stdout carries the diffs: two writers on one
# stream could split each other's lines).
JSON_ENV = "KMAP_LOCAL_JSON"
JSON_SUFFIX = ".json"


def command(cocci, timeout=None, defines=(), patch=False):
    """spatch's argv for one batch; "{}" is where the groups file goes.

    patch: also rewrite (-D patch); diffs come on stdout relative to the
    tree (a/PATH, b/PATH), the records in "{}.json".
    """
    argv = ["spatch", "--very-quiet", "--no-includes"]
    if timeout is not None:
        argv += ["--timeout", str(timeout)]
    for name in defines:
        argv += ["-D", name]
    if patch:
        argv = ["env", "%s={}%s" % (JSON_ENV, JSON_SUFFIX)] + argv + [
            "-D", "patch", "--patch", "."]
    return argv + ["--sp-file", os.path.abspath(cocci),
                   "--file-groups", "{}"]


@dataclass
class Outcome:
    """Everything the spatch runs produced."""
    records: list = field(default_factory=list)  # parsed JSON objects
    diffs: dict = field(default_factory=dict)    # file -> its diff section
    failed: dict = field(default_factory=dict)   # file -> reason
    batches: int = 0
    reruns: int = 0      # files re-run alone after their batch failed
    cached: int = 0      # files whose results came from the cache
    analysed: int = 0    # files given to spatch in this run
    hosts: Counter = field(default_factory=Counter)   # sshlogin -> jobs
    view_seconds: float = 0.0   # writing the reduced copies


_LOCAL_INCLUDE_RE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def local_headers(ksrc, path):
    """Headers path includes with #include "..." that exist beside it."""
    try:
        with open(os.path.join(ksrc, path), errors="replace") as f:
            text = f.read()
    except OSError:
        return []
    found = []
    for name in _LOCAL_INCLUDE_RE.findall(text):
        rel = os.path.normpath(os.path.join(os.path.dirname(path), name))
        if rel.startswith("..") or rel == path or rel in found:
            continue
        if os.path.isfile(os.path.join(ksrc, rel)):
            found.append(rel)
    return found


# How a context header is spelled in a groups file (see above).
CONTEXT_PREFIX = "./"
# A "./path" reference in a reason names a context header: shown without
# the marker, like every other path.
_CONTEXT_REF_RE = re.compile(r"(?<![\w./-])\./(?=[\w-])")


def _size(ksrc, path):
    try:
        return os.path.getsize(os.path.join(ksrc, path))
    except OSError:
        return 0


def _write_groups(path, groups):
    # One group per candidate (its file, then its context headers), one
    # file per line, groups separated by a blank line.
    with open(path, "w") as f:
        f.write("\n\n".join("\n".join(g) for g in groups) + "\n")


def batch_limit(argv, files, slack):
    """The wall-clock limit of a batch of files, None without one."""
    timeout = None
    for option, value in zip(argv, argv[1:]):
        if option == "--timeout":
            timeout = int(value)
    if timeout is None or not slack:
        return None
    return timeout + slack * (files + 2)


def _failure(job, time_limit=None):
    """Why a job failed, or None if it did not.  time_limit: the batch's
    wall-clock limit (a job parallel killed at it timed out)."""
    if job.signal and time_limit and job.runtime >= time_limit - 1:
        return TIMEOUT
    if job.signal:
        return "spatch killed by signal %d" % job.signal
    lines = [l.strip() for l in job.stderr.splitlines() if l.strip()]
    flagged = [l for l in lines if _FAILURE_RE.search(l)]
    if any(_TIMEOUT_RE.search(l) for l in flagged):
        return TIMEOUT
    if job.exitval:
        return "spatch exit status %d: %s" % (job.exitval,
                                              lines[0] if lines
                                              else "no message")
    if flagged:
        # spatch's own "EXN: ..." line names the problem; a Python
        # traceback's first line ("Traceback ...") does not.
        exn = [l for l in flagged if l.startswith("EXN:")]
        return "spatch: %s" % (exn or flagged)[0]
    return None


_DIFF_HEAD_RE = re.compile(r"^diff -u -p a/(\S+) b/\S+$")


def split_diffs(text, files, context=()):
    """spatch's patch-mode stdout as {file: diff section}, for the given
    files only: context files (headers, or a .c file #included by
    another) are rewritten by their own group, and anything before the
    first section is chatter.  spatch may print a context file without
    its "./" marker, hence the explicit list."""
    given = set(files)
    skip = set(os.path.normpath(c) for c in context)
    sections = {}
    current = None
    for line in text.splitlines(keepends=True):
        m = _DIFF_HEAD_RE.match(line.rstrip("\n"))
        if m:
            path = m.group(1)
            current = None
            if path.startswith(CONTEXT_PREFIX):
                continue
            path = os.path.normpath(path)
            if path in skip and path not in given:
                continue
            if path not in given:
                raise KmapconvError("spatch rewrote %s, which it was not "
                                    "given" % path)
            current = sections.setdefault(path, [])
        if current is not None:
            current.append(line)
    return {path: "".join(lines) for path, lines in sections.items()}


def _json_lines(job):
    """The records: from the side file in patch mode, else stdout."""
    path = job.arg + JSON_SUFFIX
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    return job.stdout.splitlines()


def _parse(job, files):
    """The JSON records of a successful job, each checked to name one of
    the files it was given; records in context headers are dropped."""
    given = set(files)
    records = []
    for line in _json_lines(job):
        # Anything else on stdout is spatch's or a script's chatter.
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            raise KmapconvError("spatch printed malformed JSON: %s"
                                % line[:200])
        if not isinstance(obj, dict):
            raise KmapconvError("spatch printed malformed JSON: %s"
                                % line[:200])
        if isinstance(obj.get("file"), str):
            if obj["file"].startswith(CONTEXT_PREFIX):
                continue
            obj["file"] = os.path.normpath(obj["file"])
            if obj["file"] not in given:
                raise KmapconvError("spatch reported a site in %s, which "
                                    "it was not given: %s"
                                    % (obj["file"], line[:200]))
        if isinstance(obj.get("reasons"), list):
            obj["reasons"] = [_CONTEXT_REF_RE.sub("", r)
                              if isinstance(r, str) else r
                              for r in obj["reasons"]]
        records.append(obj)
    return records


def _run_batches(ksrc, argv, file_batches, jobs, scratch, tag, headers,
                 runner=None, on_done=None, time_limit=None):
    """Write one groups file per batch and run argv over them.

    runner is a dispatch.Local or dispatch.Ssh (where the jobs run);
    on_done(index, job) sees each batch as soon as it finishes;
    time_limit (seconds) ends a job that runs longer.
    """
    workdir = os.path.join(scratch, tag)
    os.makedirs(workdir)
    groups = []
    for i, files in enumerate(file_batches, 1):
        path = os.path.join(workdir, "batch-%04d.groups" % i)
        _write_groups(path, [[f] + [CONTEXT_PREFIX + h
                                    for h in headers.get(f, [])]
                             for f in files])
        groups.append(path)
    if runner is None:
        return run.parallel(argv, groups, jobs, cwd=ksrc, workdir=workdir,
                            on_done=on_done,
                            options=run.time_limit_options(time_limit))
    return runner.run(argv, groups, jobs, ksrc, workdir, on_done,
                      time_limit)


def _per_file(job, files, headers, rebase=None):
    """A successful job's results, one FileResult per file it was given.

    rebase(path, diff) turns a diff of a reduced file into one of the
    file (None: spatch saw the files themselves).
    Returns (results, stray): stray are records naming no file (they
    fail validation later); a job with any is not worth caching.
    """
    results = {f: cache.FileResult() for f in files}
    diffs = split_diffs(job.stdout, files,
                        [h for f in files for h in headers.get(f, [])])
    for path, diff in diffs.items():
        if rebase is None:
            results[path].diff = diff
            continue
        try:
            results[path].diff = rebase(path, diff)
        except reduce.RebaseError as e:
            results[path].failure = ("the rewrite of the reduced file does "
                                     "not fit the file: %s" % e)
    stray = []
    for record in _parse(job, files):
        target = results.get(record.get("file"))
        (target.records if target else stray).append(record)
    return results, stray


def _take(outcome, path, result):
    """Add one file's result to the outcome."""
    outcome.records += result.records
    if result.failure is not None:
        outcome.failed[path] = result.failure
    elif result.diff:
        outcome.diffs[path] = result.diff


def _cacheable(reason):
    # A signal is the machine's doing (memory, an interrupt), not the
    # file's: the next run tries again.
    return reason is None or not reason.startswith("spatch killed")


def too_big(sizes, files, max_bytes):
    """{file: reason} for the files over max_bytes (None: no limit)."""
    if not max_bytes:
        return {}
    return {f: "not analysed: %.1f MB, over the %.1f MB limit (--max-size)"
            % (sizes[f] / 1e6, max_bytes / 1e6)
            for f in files if sizes.get(f, 0) > max_bytes}


def _read_text(path):
    with open(path, encoding="utf-8", errors="surrogateescape",
              newline="") as f:
        return f.read()


def _write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", errors="surrogateescape",
              newline="") as f:
        f.write(text)


def _focus_one(job):
    """focus_view() of one file: (path, bytes written) or None."""
    ksrc, rel, view = job
    try:
        text = _read_text(os.path.join(ksrc, rel))
    except OSError:
        return None  # spatch reports it, as it would without a view
    reduced = reduce.reduce(text)
    _write_text(os.path.join(view, rel), reduced)
    # Blanked lines are nearly free: weigh by what is left.
    return rel, len(reduced) - reduced.count("\n")


def focus_view(ksrc, paths, view, jobs=1):
    """Write reduce.reduce() of each of paths (relative to ksrc) under
    view, at the same relative path, with up to jobs processes (the
    cores are idle until the batches start).  Returns {path: bytes
    written}: what spatch will parse, to weigh the batches with."""
    done = pool.map_files(_focus_one, [(ksrc, rel, view) for rel in paths],
                          jobs)
    return dict(d for d in done if d is not None)


def focus_headers(ksrc, headers):
    """headers ({file: its context headers}) without the headers that do
    not name the mapping API: nothing in them can pair with a site."""
    named = {}
    for h in {h for hs in headers.values() for h in hs}:
        try:
            named[h] = reduce.mentions_api(_read_text(os.path.join(ksrc, h)))
        except OSError:
            named[h] = True
    return {f: [h for h in hs if named[h]] for f, hs in headers.items()}


def rebaser(ksrc, workdir):
    """rebase(path, diff) for _per_file: diff (spatch's section for path,
    made against the reduced text) as the same change to ksrc's file,
    in spatch's format ("diff -u -p a/P b/P" and GNU diff -u -p)."""
    def rebase(path, diff):
        old = os.path.join(ksrc, path)
        new = os.path.join(workdir, path)
        _write_text(new, reduce.apply_diff(diff, _read_text(old)))
        return "diff -u -p a/%s b/%s\n%s" % (
            path, path, run.diff_u_p(old, new, "a/" + path, "b/" + path))
    return rebase


def run_files(ksrc, files, sizes, jobs, argv, scratch, with_headers=True,
              result_cache=None, runner=None, max_bytes=None,
              batch_slack=DEFAULT_BATCH_SLACK, focus=True):
    """Run spatch argv over files (relative to ksrc) and collect results.

    scratch is an empty directory for groups files and job outputs.
    with_headers adds each file's local headers to its group as context.
    result_cache (a cache.ResultCache) supplies the results of unchanged
    files and keeps the new ones as their batches finish.  runner: where
    the jobs run (dispatch.py; default this machine, quietly).  Files
    over max_bytes are not analysed but listed as failed.  batch_slack:
    see DEFAULT_BATCH_SLACK (0: no limit beyond spatch's own).
    focus: spatch sees reduce.reduce() of each file and header (only the
    functions that can matter to kmap_local.cocci), and its diffs are
    rebased onto the files; a semantic patch that looks at every function
    (a call lister, the bench's floor) needs focus=False.
    """
    outcome = Outcome()
    headers = {f: local_headers(ksrc, f) for f in files} if with_headers \
        else {}
    outcome.failed.update(too_big(sizes, files, max_bytes))
    todo = [f for f in files if f not in outcome.failed]
    keys = {}
    if result_cache is not None:
        missing = []
        for path in todo:
            keys[path] = result_cache.key(ksrc, path, headers.get(path, []))
            hit = keys[path] and result_cache.load(keys[path])
            if hit:
                _take(outcome, path, hit)
                outcome.cached += 1
            else:
                missing.append(path)
        todo = missing
    outcome.analysed = len(todo)

    def keep(path, result):
        _take(outcome, path, result)
        if result_cache is not None and _cacheable(result.failure):
            result_cache.store(keys.get(path), path, result)

    base, rebase = ksrc, None
    size_of = {}
    if focus and todo:
        headers = focus_headers(ksrc, headers)
        base = os.path.join(scratch, "view")
        start = time.monotonic()
        size_of = focus_view(ksrc, sorted(set(todo) | {
            h for f in todo for h in headers.get(f, [])}), base, jobs)
        outcome.view_seconds = time.monotonic() - start
        rebase = rebaser(ksrc, os.path.join(scratch, "rebased"))

    # spatch parses a group's context headers too: weigh them in, or a
    # .c file with many big local headers unbalances its batch.
    weights = {f: size_of.get(f, sizes.get(f, 0)) +
               sum(size_of.get(h, _size(ksrc, h)) for h in headers.get(f, []))
               for f in todo}
    slots = runner.slots(jobs) if runner is not None else jobs
    file_batches = batches.split(todo, weights, slots)
    outcome.batches = len(file_batches)
    if runner is not None:
        runner.starting(len(files), outcome.cached, len(file_batches), jobs)
    rerun = []
    limit = batch_limit(argv, max([len(b) for b in file_batches] + [1]),
                        batch_slack)

    def first_pass(index, job):
        files_of_batch = file_batches[index]
        outcome.hosts[job.host] += 1
        reason = _failure(job, limit)
        if reason is None:
            results, stray = _per_file(job, files_of_batch, headers,
                                       rebase)
            outcome.records += stray
            for path in files_of_batch:
                if stray:
                    _take(outcome, path, results[path])
                else:
                    keep(path, results[path])
        elif len(files_of_batch) == 1:
            keep(files_of_batch[0], cache.FileResult(failure=reason))
        else:
            rerun.extend(files_of_batch)

    if file_batches:
        _run_batches(base, argv, file_batches, jobs, scratch, "pass1",
                     headers, runner, first_pass, limit)
    if rerun:
        outcome.reruns = len(rerun)
        singles = [[f] for f in sorted(rerun)]
        limit_alone = batch_limit(argv, 1, batch_slack)

        def second_pass(index, job):
            [path] = singles[index]
            outcome.hosts[job.host] += 1
            reason = _failure(job, limit_alone)
            if reason is not None:
                keep(path, cache.FileResult(failure=reason))
                return
            results, stray = _per_file(job, [path], headers, rebase)
            outcome.records += stray
            (_take if stray else keep)(path, results[path])

        _run_batches(base, argv, singles, jobs, scratch, "pass2", headers,
                     runner, second_pass, limit_alone)
    return outcome
