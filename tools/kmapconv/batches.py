# SPDX-License-Identifier: GPL-2.0-only
"""The spatch batches: the candidate files split into batches of
similar total size and run in parallel (GNU parallel keeps JOBS spatch
processes busy, on this machine or on HOSTS: dispatch.py), results
taken from the cache where the file is unchanged and kept as batches
finish.  A batch that fails (non-zero exit, timeout, crash) is re-run
file by file, so one bad file costs only itself; files that still fail
are returned with the reason, never dropped silently.

Each spatch process pays a fixed start-up: about 0.7 s for parsing
kmap_local.cocci and starting its Python, more than a reduced file
(reduce.py) costs to analyse.  So files are grouped, but one batch per
job would leave cores idle behind the batch holding the biggest file,
and a failed batch is re-run file by file.  Two batches per job, filled
largest file first into the lightest batch (LPT greedy), keeps every
job busy until close to the end.  A small run (a directory of a few
files) gets fewer batches: none lighter on average than MIN_BATCH_BYTES,
about what a spatch start-up costs in analysis, since a second process
for less would cost more CPU than it saves wall time.
"""

import heapq
import os
import time
from collections import Counter
from dataclasses import dataclass, field

from . import cache, gnuparallel, groups, pointercalls, reduce, spatch, views

BATCHES_PER_JOB = 2
# Bytes of (reduced) code whose analysis costs about one spatch start-up
# (make bench, whole 6.12 tree: about 7.5 us of CPU per byte after the
# start-ups, 0.65 s each).
MIN_BATCH_BYTES = 64 * 1024


def split(files, sizes, jobs, min_bytes=MIN_BATCH_BYTES):
    """Return a list of non-empty batches (lists of paths), on average
    no lighter than min_bytes (0: as many as the jobs can take)."""
    if not files:
        return []
    count = min(len(files), BATCHES_PER_JOB * max(1, jobs))
    if min_bytes:
        total = sum(max(1, sizes.get(p, 0)) for p in files)
        count = min(count, -(-total // min_bytes))
    count = max(1, count)
    heap = [(0, i) for i in range(count)]
    batches = [[] for _ in range(count)]
    # Ties broken by path, so the same input always gives the same split.
    for path in sorted(files, key=lambda p: (-sizes.get(p, 0), p)):
        load, i = heapq.heappop(heap)
        batches[i].append(path)
        heapq.heappush(heap, (load + max(1, sizes.get(path, 0)), i))
    return [sorted(b) for b in batches if b]


# spatch's --timeout bounds parsing and matching of each file, but not
# all of the semantic patch's Python (a finalize rule, say): a file can
# keep a batch busy for an hour.  So each batch also has a wall-clock
# limit, enforced by GNU parallel (--timeout): the spatch timeout plus
# DEFAULT_BATCH_SLACK seconds per file and two more for start-up.  A
# batch over it fails as a timeout, and its files are run alone, each
# with the limit of one file.
DEFAULT_BATCH_SLACK = 15

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


def _size(ksrc, path):
    try:
        return os.path.getsize(os.path.join(ksrc, path))
    except OSError:
        return 0


def batch_limit(argv, files, slack):
    """The wall-clock limit of a batch of files, None without one."""
    timeout = None
    for option, value in zip(argv, argv[1:]):
        if option == "--timeout":
            timeout = int(value)
    if timeout is None or not slack:
        return None
    return timeout + slack * (files + 2)


def _run_batches(ksrc, argv, file_batches, jobs, scratch, tag, headers,
                 runner=None, on_done=None, time_limit=None):
    """Write one groups file per batch and run argv over them.

    runner is a dispatch.Local or dispatch.Ssh (where the jobs run);
    on_done(index, job) sees each batch as soon as it finishes;
    time_limit (seconds) ends a job that runs longer.
    """
    workdir = os.path.join(scratch, tag)
    os.makedirs(workdir)
    group_files = []
    for i, files in enumerate(file_batches, 1):
        path = os.path.join(workdir, "batch-%04d.groups" % i)
        groups.write_groups(path, [[f] + [groups.CONTEXT_PREFIX + h
                                          for h in headers.get(f, [])]
                                   for f in files])
        group_files.append(path)
    if runner is None:
        return gnuparallel.parallel(argv, group_files, jobs, cwd=ksrc,
                            workdir=workdir, on_done=on_done,
                            options=gnuparallel.time_limit_options(time_limit))
    return runner.run(argv, group_files, jobs, ksrc, workdir, on_done,
                      time_limit)


def _per_file(job, files, headers, rebase=None):
    """A successful job's results, one FileResult per file it was given.

    rebase(path, diff) turns a diff of a reduced file into one of the
    file (None: spatch saw the files themselves).
    Returns (results, stray): stray are records naming no file (they
    fail validation later); a job with any is not worth caching.
    """
    results = {f: cache.FileResult() for f in files}
    diffs = spatch.split_diffs(job.stdout, files,
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
    for record in spatch.parse_records(job, files):
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


def run_files(ksrc, files, sizes, jobs, argv, scratch, with_headers=True,
              result_cache=None, runner=None, max_bytes=None,
              batch_slack=DEFAULT_BATCH_SLACK, focus=True,
              min_batch_bytes=MIN_BATCH_BYTES):
    """Run spatch argv over files (relative to ksrc) and collect results.

    scratch is an empty directory for groups files and job outputs.
    with_headers adds each file's local headers to its group as context.
    result_cache (a cache.ResultCache) supplies the results of unchanged
    files and keeps the new ones as their batches finish.  runner: where
    the jobs run (dispatch.py; default this machine, quietly).  Files
    over max_bytes are not analysed but listed as failed.  batch_slack:
    see DEFAULT_BATCH_SLACK (0: no limit beyond spatch's own).
    min_batch_bytes: see MIN_BATCH_BYTES (0: a batch per slot or two).
    focus: spatch sees reduce.reduce() of each file and header (only the
    functions that can matter to kmap_local.cocci), and its diffs are
    rebased onto the files; a semantic patch that looks at every function
    (a call lister, the bench's floor) needs focus=False.
    """
    outcome = Outcome()
    headers = {f: groups.local_headers(ksrc, f) for f in files} if with_headers \
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
        headers = views.focus_headers(ksrc, headers)
        base = os.path.join(scratch, "view")
        start = time.monotonic()
        # (A file told function-pointer targets is shown whole: the
        # functions given as the pointer are not called from a map.)
        size_of = views.focus_view(ksrc, sorted(set(todo) | {
            h for f in todo for h in headers.get(f, [])}), base, jobs,
            pointercalls.whole_files(argv))
        outcome.view_seconds = time.monotonic() - start
        rebase = views.rebaser(ksrc, os.path.join(scratch, "rebased"))

    # spatch parses a group's context headers too: weigh them in, or a
    # .c file with many big local headers unbalances its batch.
    weights = {f: size_of.get(f, sizes.get(f, 0)) +
               sum(size_of.get(h, _size(ksrc, h)) for h in headers.get(f, []))
               for f in todo}
    slots = runner.slots(jobs) if runner is not None else jobs
    file_batches = split(todo, weights, slots, min_batch_bytes)
    outcome.batches = len(file_batches)
    if runner is not None:
        runner.starting(len(files), outcome.cached, len(file_batches), jobs)
    rerun = []
    limit = batch_limit(argv, max([len(b) for b in file_batches] + [1]),
                        batch_slack)

    def first_pass(index, job):
        files_of_batch = file_batches[index]
        outcome.hosts[job.host] += 1
        reason = spatch.failure(job, limit)
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
            reason = spatch.failure(job, limit_alone)
            if reason is not None:
                keep(path, cache.FileResult(failure=reason))
                return
            results, stray = _per_file(job, [path], headers, rebase)
            outcome.records += stray
            (_take if stray else keep)(path, results[path])

        _run_batches(base, argv, singles, jobs, scratch, "pass2", headers,
                     runner, second_pass, limit_alone)
    return outcome
