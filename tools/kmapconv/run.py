# SPDX-License-Identifier: GPL-2.0-only
"""Every external program kmapconv runs is started from this module.

Keeping them in one place means one way of reporting a missing program
or a failure (a single "kmapconv: ..." line via KmapconvError) and one
place to look when a tool's command line needs to change.
"""

import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from .errors import KmapconvError

# The candidate pattern, in grep -E syntax (\s and \b are GNU
# extensions, fine on Debian).  coverage.CALL_RE is the Python twin.
GREP_PATTERN = r"\bkmap(_atomic)?\s*\("


def _first_line(text):
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def first_line(text):
    """The first non-blank line of a tool's output, stripped."""
    return _first_line(text)


def _env(**extra):
    env = dict(os.environ)
    env.update(extra)
    return env


def _run(argv, what, cwd=None, env=None, capture=True):
    """Run argv; on failure raise KmapconvError naming `what`."""
    try:
        proc = subprocess.run(
            argv, cwd=cwd, env=env, stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.PIPE if capture else None,
            universal_newlines=True, errors="replace")
    except FileNotFoundError:
        raise KmapconvError("cannot run %s: %s not found" % (what, argv[0]))
    except OSError as e:
        raise KmapconvError("cannot run %s: %s" % (what, e))
    return proc


def diff_u_p(old, new, old_label, new_label):
    """GNU diff -u -p of two files under the given labels, as spatch
    prints it ("" when they are the same)."""
    # Bytes as they are (no newline translation, undecodable bytes kept),
    # like spatch's own output is read (_job_result).
    proc = subprocess.run(["diff", "-u", "-p", "--label", old_label,
                           "--label", new_label, old, new],
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE)
    if proc.returncode not in (0, 1):
        raise KmapconvError("diff %s %s failed: %s" % (
            old, new, first_line(proc.stderr.decode(errors="replace"))))
    return proc.stdout.decode("utf-8", errors="surrogateescape")


def which(program):
    return shutil.which(program)


def spatch_version():
    """The text of "spatch --version" (it prints to stdout)."""
    proc = _run(["spatch", "--version"], "spatch --version")
    if proc.returncode != 0:
        raise KmapconvError("spatch --version failed (exit %d): %s"
                            % (proc.returncode,
                               _first_line(proc.stderr) or "no message"))
    return proc.stdout + proc.stderr


def parallel_version():
    """First line of "parallel --version" ("" if it fails)."""
    proc = _run(["parallel", "--version"], "parallel --version")
    lines = proc.stdout.splitlines()
    return lines[0] if proc.returncode == 0 and lines else ""


def apt_cache_pkgnames(prefix):
    """The package names apt knows that start with prefix ([] without
    apt-cache or on failure: only advice about what could be installed)."""
    try:
        proc = _run(["apt-cache", "pkgnames", prefix], "apt-cache")
    except KmapconvError:
        return []
    return proc.stdout.split() if proc.returncode == 0 else []


def tar_extract(tarball, dest, members=()):
    """Unpack tarball (or only the named members) into directory dest."""
    argv = ["tar", "-xf", tarball, "-C", dest]
    if members:
        argv += ["--"] + list(members)
    proc = _run(argv, "tar")
    if proc.returncode != 0:
        raise KmapconvError("unpacking %s failed (exit %d): %s"
                            % (tarball, proc.returncode,
                               _first_line(proc.stderr) or "no message"))


def apply_patch(patch_file, dest, dry_run=False):
    """Apply a -p1 unified diff inside directory dest with GNU patch.

    --batch: never ask; --forward: an already applied hunk is an error,
    not a silent reverse; no .orig backups or .rej files in dest (the
    message names the failed hunks).  Any hunk that does not apply
    fails the whole call.
    """
    argv = ["patch", "-p1", "--batch", "--forward", "--silent",
            "--no-backup-if-mismatch", "--reject-file=-", "-d", dest, "-i",
            os.path.abspath(patch_file)] + (["--dry-run"] if dry_run else [])
    proc = _run(argv, "patch")
    if proc.returncode != 0:
        raise KmapconvError("%s does not apply to KSRC (patch exit %d): %s"
                            % (patch_file, proc.returncode,
                               _first_line(proc.stdout + "\n" + proc.stderr)
                               or "no message"))


def grep_candidates(ksrc, subsys, jobs=1):
    """Files under subsys (relative to ksrc) that mention a kmap call.

    Returns (files, problems): files relative to ksrc, and (path,
    message) for files grep could not read.  grep -r does not follow
    symlinks below its arguments, which is what we want: a symlinked
    directory is either scanned where it really lives or lies outside
    the tree.  LC_ALL=C: byte matching, and no surprise from a locale's
    idea of \\b on non-ASCII bytes.  jobs: that many greps at once, each
    over a share of subsys (see _grep_shares).
    """
    shares = _grep_shares(ksrc, subsys, jobs)
    if len(shares) == 1:
        return _grep(ksrc, shares[0])
    with ThreadPoolExecutor(max_workers=len(shares)) as pool:
        found = list(pool.map(lambda share: _grep(ksrc, share), shares))
    return ([f for files, _ in found for f in files],
            [p for _, problems in found for p in problems])


def _grep_shares(ksrc, subsys, jobs):
    """subsys as jobs lists of grep arguments covering the same files
    grep -r subsys would read: its entries and their entries, dealt out
    in turn (hundreds of them on a whole tree, so the shares come out
    alike).  Symlinks are left out, as grep -r skips them below its
    argument; a directory that cannot be listed is given whole, for
    grep to report."""
    top = os.path.join(ksrc, subsys)
    entries = None
    if jobs > 1 and os.path.isdir(top) and not os.path.islink(top):
        entries = _entries(top)
    if entries is None:
        return [[subsys]]
    args = []
    for entry in entries:
        rel = os.path.join(subsys, entry.name)
        if entry.is_dir(follow_symlinks=False):
            inner = _entries(entry.path)
            if inner is None:
                args.append(rel)
            else:
                args += [os.path.join(rel, e.name) for e in inner
                         if _greppable(e)]
        elif _greppable(entry):
            args.append(rel)
    if not args:
        return [[subsys]]
    return [args[i::jobs] for i in range(min(jobs, len(args)))]


def _entries(path):
    """os.scandir(path) sorted by name, None if it cannot be listed."""
    try:
        with os.scandir(path) as it:
            return sorted(it, key=lambda e: e.name)
    except OSError:
        return None


def _greppable(entry):
    """What grep -r --include=*.c --include=*.h reads below its argument:
    directories, and regular .c/.h files; not symlinks."""
    if entry.is_dir(follow_symlinks=False):
        return True
    return entry.name.endswith((".c", ".h")) and \
        entry.is_file(follow_symlinks=False)


def _grep(ksrc, args):
    """grep -r over args (relative to ksrc): (files, problems)."""
    argv = ["grep", "-rlZE", "--include=*.c", "--include=*.h", "--",
            GREP_PATTERN] + list(args)
    proc = _run(argv, "grep", cwd=ksrc, env=_env(LC_ALL="C"))
    # grep: 0 = matches, 1 = none, 2 = an error (possibly with matches).
    problems = []
    if proc.returncode == 2:
        for line in proc.stderr.splitlines():
            # "grep: PATH: Permission denied" and similar per-file notes.
            head, sep, message = line.rpartition(": ")
            if not sep or not head.startswith("grep: "):
                raise KmapconvError("grep failed: %s" % line)
            problems.append((os.path.normpath(head[len("grep: "):]),
                             message))
        if not problems:
            raise KmapconvError("grep failed (exit 2)")
    elif proc.returncode not in (0, 1):
        raise KmapconvError("grep failed (exit %d): %s"
                            % (proc.returncode, _first_line(proc.stderr)))
    files = [os.path.normpath(f) for f in proc.stdout.split("\0") if f]
    return files, problems


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
            time.sleep(_POLL_SECONDS)
    except BaseException:
        _stop(proc)
        raise
    stderr = tee.text()
    # parallel's own exit status counts failed jobs (1..100, 101 = more);
    # those are read per job above.  Anything above is parallel failing.
    if proc.returncode > 101 or proc.returncode < 0:
        raise KmapconvError("GNU parallel failed (exit %d): %s"
                            % (proc.returncode,
                               _first_line(stderr) or "no message"))
    out = []
    for seq, arg in enumerate(args, 1):
        if seq not in done:
            raise KmapconvError("GNU parallel did not run job %d (%s): %s"
                                % (seq, arg, _first_line(stderr)
                                   or "no message"))
        out.append(done[seq])
    return out


def parallel_nonall(options, command):
    """Run command once on every sshlogin in options (parallel
    --nonall); each output line is tagged with its host and a tab."""
    argv = (["parallel", "--will-cite", "--nonall", "--tag"] + list(options)
            + [" ".join(shlex.quote(a) for a in command)])
    return _run(argv, "GNU parallel")


def copy_tree(src, dst, hardlink):
    """cp -a src dst, with -l (hard links, no data copied) if hardlink.

    Returns "" on success, else cp's first error line: linking fails
    across file systems or, for non-root users, on files they do not own
    (fs.protected_hardlinks), and the caller then copies instead.
    """
    argv = ["cp", "-a"] + (["-l"] if hardlink else []) + ["--", src, dst]
    proc = _run(argv, "cp")
    if proc.returncode != 0:
        return _first_line(proc.stderr) or "cp exit %d" % proc.returncode
    return ""


def kbuild(srctree, objtree, arch, targets, jobs, keep_going=False,
           dry_run=False):
    """make -C srctree O=objtree ARCH=arch targets; the finished process.

    The caller reads the exit status and both streams.  The C locale:
    gcc's messages and make's "No rule to make target" come out
    untranslated and in ASCII quotes, which is what the callers parse.
    LANG and LC_CTYPE too, because kbuild unexports LC_ALL.
    """
    argv = (["make", "-C", srctree, "O=" + objtree, "ARCH=" + arch,
             "-j%d" % jobs] + (["-k"] if keep_going else [])
            + (["-n"] if dry_run else []) + list(targets))
    return _run(argv, "make", env=_env(LC_ALL="C", LANG="C", LC_CTYPE="C",
                                       LC_MESSAGES="C"))


def kconfig_enable(srctree, config, symbols):
    """Switch CONFIG_<symbol> on in the .config file config, with the
    kernel's own scripts/config (it edits the file, nothing else)."""
    # Through bash: a tree copied without mode bits still works.
    argv = ["bash", os.path.join(srctree, "scripts", "config"),
            "--file", config]
    for symbol in symbols:
        argv += ["--enable", symbol]
    proc = _run(argv, "scripts/config")
    if proc.returncode != 0:
        raise KmapconvError("scripts/config failed (exit %d): %s"
                            % (proc.returncode,
                               _first_line(proc.stderr) or "no message"))


def git_config(key):
    """git config's value for key ("" when unset or git is missing)."""
    try:
        proc = _run(["git", "config", "--get", key], "git config")
    except KmapconvError:
        return ""
    return proc.stdout.strip() if proc.returncode == 0 else ""


def git_in(tree, args):
    """git's output for args run in tree, None if tree is no git work
    tree, git is missing or the command fails (advice only: subject
    prefixes, base-commit)."""
    if not os.path.exists(os.path.join(tree, ".git")):
        return None
    try:
        proc = _run(["git", "-C", tree] + list(args), "git")
    except KmapconvError:
        return None
    return proc.stdout if proc.returncode == 0 else None


# get_maintainer.pl orders sections that match alike by Perl's hash
# order, which is random per process: a fixed seed makes its answers
# (and so the Cc: lines) the same from run to run.
PERL_FIXED_HASH = {"PERL_HASH_SEED": "0", "PERL_PERTURB_KEYS": "0"}


GET_MAINTAINER = "scripts/get_maintainer.pl"


def get_maintainer_args(subject, path=False, rolestats=False, mpath=None,
                        sections=False):
    """get_maintainer.pl's arguments for a question (see get_maintainer).
    sections: the MAINTAINERS entries that match, most specific first,
    instead of addresses."""
    args = ["--no-git", "--no-git-fallback",
            "--rolestats" if rolestats else "--no-rolestats"]
    if sections:
        args.append("--sections")
    if mpath:
        args += ["--mpath", os.path.abspath(mpath)]
    if path:
        return args + ["-f"] + ([subject] if isinstance(subject, str)
                                else list(subject))
    return args + [os.path.abspath(subject)]


def _answer(text):
    return [line.strip() for line in text.splitlines() if line.strip()]


def get_maintainer(ksrc, subject, path=False, rolestats=False, mpath=None):
    """The addresses scripts/get_maintainer.pl of ksrc gives for a patch
    file (or, with path, for files or directories relative to ksrc: a
    path or a list of them).

    rolestats: each line ends in "(role:SECTION)", telling maintainers
    from reviewers and mailing lists.  Only advice (Cc: lines, the
    dashboard): if the script fails (no perl, not a full tree, ...) the
    answer is simply [], no error.
    mpath: a MAINTAINERS to read instead of the tree's (narrow.py).
    """
    return _ask_alone(ksrc, get_maintainer_args(subject, path, rolestats,
                                                mpath))


def _ask_alone(ksrc, args):
    try:
        proc = _run(["perl", GET_MAINTAINER] + list(args),
                    "get_maintainer.pl", cwd=ksrc,
                    env=dict(os.environ, **PERL_FIXED_HASH))
    except KmapconvError:
        return []
    return _answer(proc.stdout) if proc.returncode == 0 else []


FORK_EACH_DIR = os.path.dirname(os.path.abspath(__file__))


def get_maintainer_many(ksrc, questions, jobs, scratch):
    """get_maintainer() of each of questions (lists of the script's
    arguments, see get_maintainer_args), at most jobs at once, with the
    script compiled once (KmapconvForkEach.pm).  The answers are the
    same as one process per question gives (a failing question's too:
    []); a question the batch cannot carry (a tab or newline in an
    argument) or did not answer is asked on its own.  scratch: an empty
    directory for the answers."""
    answers = [None] * len(questions)
    lines = []
    for n, args in enumerate(questions):
        if not any("\t" in a or "\n" in a for a in args):
            lines.append("\t".join([os.path.join(scratch, "%05d" % n)]
                                   + list(args)))
    if lines:
        listing = os.path.join(scratch, "jobs")
        with open(listing, "w", encoding="utf-8",
                  errors="surrogateescape") as f:
            f.write("\n".join(lines) + "\n")
        env = dict(os.environ, KMAPCONV_FORK_EACH=listing,
                   KMAPCONV_FORK_JOBS=str(max(1, jobs)), **PERL_FIXED_HASH)
        try:
            _run(["perl", "-I" + FORK_EACH_DIR, "-MKmapconvForkEach",
                  GET_MAINTAINER], "get_maintainer.pl", cwd=ksrc, env=env)
        except KmapconvError:
            pass
        for n in range(len(questions)):
            out = os.path.join(scratch, "%05d" % n)
            try:
                with open(out + ".status") as f:
                    status = f.read().strip()
                with open(out, encoding="utf-8", errors="replace") as f:
                    text = f.read()
            except OSError:
                continue
            answers[n] = _answer(text) if status == "0" else []
    return [_ask_alone(ksrc, args) if answer is None else answer
            for args, answer in zip(questions, answers)]
