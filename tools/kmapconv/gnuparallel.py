# SPDX-License-Identifier: GPL-2.0-only
"""GNU parallel: the spatch batches run as its jobs, here or over ssh
(dispatch.py), each job's result read from its job log as it ends.
"""

import os
import shlex
import subprocess
import sys
import threading
from dataclasses import dataclass

from . import run
from .errors import KmapconvError


def parallel_version():
    """First line of "parallel --version" ("" if it fails)."""
    proc = run.program(["parallel", "--version"], "parallel --version")
    lines = proc.stdout.splitlines()
    return lines[0] if proc.returncode == 0 and lines else ""


@dataclass
class JobResult:
    """What one job of a GNU parallel run produced."""
    arg: str
    exitval: int
    signal: int
    stdout: str
    stderr: str
    host: str = ":"         # parallel's sshlogin; ":" is this machine
    runtime: float = 0.0    # seconds, as parallel's job log has it


# How often a running parallel's job log is read for finished jobs.
_POLL_SECONDS = 0.2


def _write_args(path, args):
    with open(path, "w") as f:
        for arg in args:
            if "\n" in arg:
                raise KmapconvError("internal error: newline in argument %r"
                                    % arg)
            f.write(arg + "\n")


def _job_result(results, seq, arg, fields):
    streams = []
    for name in ("stdout", "stderr"):
        path = os.path.join(results, str(seq), name)
        try:
            # newline="": a diff of a CRLF file keeps its \r; and
            # surrogateescape keeps bytes that are not UTF-8 (a Latin-1
            # comment), so the patch still applies byte for byte.
            with open(path, encoding="utf-8", errors="surrogateescape",
                      newline="") as f:
                streams.append(f.read())
        except OSError as e:
            raise KmapconvError("cannot read %s of job %d: %s"
                                % (name, seq, e))
    return JobResult(arg, int(fields[6]), int(fields[7]), *streams,
                     host=fields[1], runtime=float(fields[3]))


class _JobLog:
    """Reads parallel's --joblog while it grows: one line per finished
    job, written after the job's --results files are complete."""

    def __init__(self, path):
        self.path = path
        self.offset = 0
        self.header = True

    def new_lines(self):
        try:
            with open(self.path) as f:
                f.seek(self.offset)
                text = f.read()
        except FileNotFoundError:
            return []
        except OSError as e:
            raise KmapconvError("cannot read GNU parallel's job log: %s" % e)
        # Only whole lines: parallel may be half way through one.
        text = text[:text.rfind("\n") + 1]
        self.offset += len(text.encode())
        lines = text.splitlines()
        if self.header and lines:
            lines, self.header = lines[1:], False
        return [line.split("\t") for line in lines]


class _StderrTee:
    """parallel's own stderr: shown live (its --bar) and kept, so a
    failure can still be reported in one line."""

    def __init__(self, stream, show):
        self.kept = []
        self.thread = threading.Thread(target=self._pump,
                                       args=(stream, show), daemon=True)
        self.thread.start()

    def _pump(self, stream, show):
        for chunk in iter(lambda: stream.read1(4096), b""):
            self.kept.append(chunk)
            if show:
                sys.stderr.buffer.write(chunk)
                sys.stderr.flush()

    def text(self):
        self.thread.join()
        return b"".join(self.kept).decode("utf-8", "replace")


def _stop(proc):
    """End parallel and its jobs after an interrupt or an error here."""
    if proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def time_limit_options(seconds):
    """parallel's options that kill a job running over seconds (TERM,
    then KILL): none for None."""
    return ["--timeout", "%d" % seconds] if seconds else []


def parallel(command, args, jobs, cwd, workdir, on_done=None, options=(),
             show_progress=False):
    """Run command once per arg with GNU parallel, at most jobs at once.

    command is an argv list in which "{}" stands for the argument.  Each
    job's stdout, stderr and exit status are kept apart (--results and
    --joblog) so one failing job cannot hide or garble another's output.
    workdir is a scratch directory owned by the caller.  on_done(index,
    JobResult) is called as each job finishes (index into args), while
    the others still run, so a caller can keep results that an
    interrupt would otherwise lose.  options are more parallel options
    (--sshlogin and friends); show_progress passes parallel's stderr
    (its --bar) through.  Returns one JobResult per arg, in the order of
    args.
    """
    argfile = os.path.join(workdir, "args")
    joblog = os.path.join(workdir, "joblog")
    results = os.path.join(workdir, "results")
    _write_args(argfile, args)
    # -q: quote the command so that paths with spaces or $ survive the
    # shell parallel starts each job in.  :::: reads the arguments from a
    # file, so there is no command-line length limit on a whole tree.
    argv = (["parallel", "--will-cite", "-q", "-j", str(jobs),
             "--joblog", joblog, "--results", results + "/{#}/"]
            + list(options) + list(command) + ["::::", argfile])
    try:
        # Job output is read from --results; parallel's stdout repeats it.
        proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)
    except FileNotFoundError:
        raise KmapconvError("cannot run GNU parallel: parallel not found")
    except OSError as e:
        raise KmapconvError("cannot run GNU parallel: %s" % e)
    tee = _StderrTee(proc.stderr, show_progress)
    log = _JobLog(joblog)
    done = {}
    try:
        while True:
            finished = proc.poll() is not None
            for fields in log.new_lines():
                try:
                    seq = int(fields[0])
                    job = _job_result(results, seq, args[seq - 1], fields)
                except (ValueError, IndexError) as e:
                    raise KmapconvError("cannot read GNU parallel's job "
                                        "log: %s" % e)
                done[seq] = job
                if on_done:
                    on_done(seq - 1, job)
            if finished:
                break
            # Woken by parallel's exit, so the last job's results are
            # read at once rather than at the next tick.
            try:
                proc.wait(timeout=_POLL_SECONDS)
            except subprocess.TimeoutExpired:
                pass
    except BaseException:
        _stop(proc)
        raise
    stderr = tee.text()
    # parallel's own exit status counts failed jobs (1..100, 101 = more);
    # those are read per job above.  Anything above is parallel failing.
    if proc.returncode > 101 or proc.returncode < 0:
        raise KmapconvError("GNU parallel failed (exit %d): %s"
                            % (proc.returncode,
                               run.first_line(stderr) or "no message"))
    out = []
    for seq, arg in enumerate(args, 1):
        if seq not in done:
            raise KmapconvError("GNU parallel did not run job %d (%s): %s"
                                % (seq, arg, run.first_line(stderr)
                                   or "no message"))
        out.append(done[seq])
    return out


def parallel_nonall(options, command):
    """Run command once on every sshlogin in options (parallel
    --nonall); each output line is tagged with its host and a tab."""
    argv = (["parallel", "--will-cite", "--nonall", "--tag"] + list(options)
            + [" ".join(shlex.quote(a) for a in command)])
    return run.program(argv, "GNU parallel")
