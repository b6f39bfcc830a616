# SPDX-License-Identifier: GPL-2.0-only
"""Every external program kmapconv runs is started from this module.

Keeping them in one place means one way of reporting a missing program
or a failure (a single "kmapconv: ..." line via KmapconvError) and one
place to look when a tool's command line needs to change.
"""

import os
import shutil
import subprocess
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


def apt_get_install(packages):
    """apt-get update && apt-get install -y packages (as root).

    Output is not captured: installing takes a while and the user should
    see apt's progress and its own error messages.
    """
    env = _env(DEBIAN_FRONTEND="noninteractive")
    for argv in (["apt-get", "update"],
                 ["apt-get", "install", "-y"]
                 + list(packages)):
        proc = _run(argv, "apt-get", env=env, capture=False)
        if proc.returncode != 0:
            raise KmapconvError("%s failed (exit %d)"
                                % (" ".join(argv), proc.returncode))


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


def grep_candidates(ksrc, subsys):
    """Files under subsys (relative to ksrc) that mention a kmap call.

    Returns (files, problems): files relative to ksrc in grep's order,
    and (path, message) for files grep could not read.  grep -r does not
    follow symlinks below its arguments, which is what we want: a
    symlinked directory is either scanned where it really lives or lies
    outside the tree.  LC_ALL=C: byte matching, and no surprise from a
    locale's idea of \\b on non-ASCII bytes.
    """
    argv = ["grep", "-rlZE", "--include=*.c", "--include=*.h", "--",
            GREP_PATTERN, subsys]
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


def parallel(command, args, jobs, cwd, workdir):
    """Run command once per arg with GNU parallel, at most jobs at once.

    command is an argv list in which "{}" stands for the argument.  Each
    job's stdout, stderr and exit status are kept apart (--results and
    --joblog) so one failing job cannot hide or garble another's output.
    workdir is a scratch directory owned by the caller.  Returns one
    JobResult per arg, in the order of args.
    """
    argfile = os.path.join(workdir, "args")
    joblog = os.path.join(workdir, "joblog")
    results = os.path.join(workdir, "results")
    with open(argfile, "w") as f:
        for arg in args:
            if "\n" in arg:
                raise KmapconvError("internal error: newline in argument %r"
                                    % arg)
            f.write(arg + "\n")
    # -q: quote the command so that paths with spaces or $ survive the
    # shell parallel starts each job in.  :::: reads the arguments from a
    # file, so there is no command-line length limit on a whole tree.
    argv = (["parallel", "--will-cite", "-q", "-j", str(jobs),
             "--joblog", joblog, "--results", results + "/{#}/"]
            + list(command) + ["::::", argfile])
    proc = _run(argv, "GNU parallel", cwd=cwd)
    # parallel's own exit status counts failed jobs (1..100, 101 = more);
    # those are read per job below.  Anything above is parallel failing.
    if proc.returncode > 101:
        raise KmapconvError("GNU parallel failed (exit %d): %s"
                            % (proc.returncode,
                               _first_line(proc.stderr) or "no message"))
    status = {}
    try:
        with open(joblog) as f:
            next(f, None)   # header
            for line in f:
                fields = line.rstrip("\n").split("\t")
                status[int(fields[0])] = (int(fields[6]), int(fields[7]))
    except (OSError, ValueError, IndexError) as e:
        raise KmapconvError("cannot read GNU parallel's job log: %s" % e)
    out = []
    for seq, arg in enumerate(args, 1):
        if seq not in status:
            raise KmapconvError("GNU parallel did not run job %d (%s): %s"
                                % (seq, arg, _first_line(proc.stderr)
                                   or "no message"))
        streams = []
        for name in ("stdout", "stderr"):
            path = os.path.join(results, str(seq), name)
            try:
                with open(path, encoding="utf-8", errors="replace") as f:
                    streams.append(f.read())
            except OSError as e:
                raise KmapconvError("cannot read %s of job %d: %s"
                                    % (name, seq, e))
        exitval, signal = status[seq]
        out.append(JobResult(arg, exitval, signal, *streams))
    return out


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


def get_maintainer(ksrc, patch_file):
    """The addresses scripts/get_maintainer.pl of ksrc gives for a patch.

    Only advice for the Cc: lines: if the script fails (no perl, not a
    full tree, ...) the patch simply has none, so [] and no error.
    """
    argv = ["perl", "scripts/get_maintainer.pl", "--no-git",
            "--no-git-fallback", "--no-rolestats",
            os.path.abspath(patch_file)]
    try:
        proc = _run(argv, "get_maintainer.pl", cwd=ksrc)
    except KmapconvError:
        return []
    if proc.returncode != 0:
        return []
    return [line.strip() for line in proc.stdout.splitlines()
            if line.strip()]
