# SPDX-License-Identifier: GPL-2.0-only
"""Every external program kmapconv runs is started from this module.

Keeping them in one place means one way of reporting a missing program
or a failure (a single "kmapconv: ..." line via KmapconvError) and one
place to look when a tool's command line needs to change.
"""

import os
import shutil
import subprocess

from .errors import KmapconvError

def first_line(text):
    """The first non-blank line of a tool's output, stripped."""
    for line in (text or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


def env_with(**extra):
    env = dict(os.environ)
    env.update(extra)
    return env


def program(argv, what, cwd=None, env=None, capture=True):
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
    proc = program(["spatch", "--version"], "spatch --version")
    if proc.returncode != 0:
        raise KmapconvError("spatch --version failed (exit %d): %s"
                            % (proc.returncode,
                               first_line(proc.stderr) or "no message"))
    return proc.stdout + proc.stderr


def apt_cache_pkgnames(prefix):
    """The package names apt knows that start with prefix ([] without
    apt-cache or on failure: only advice about what could be installed).
    Asked once per process: apt-cache loads its whole cache (half a
    second), and the default tree and the dependency check both ask."""
    if prefix not in _PKGNAMES:
        try:
            proc = program(["apt-cache", "pkgnames", prefix], "apt-cache")
        except KmapconvError:
            return []
        _PKGNAMES[prefix] = proc.stdout.split() \
            if proc.returncode == 0 else []
    return list(_PKGNAMES[prefix])


_PKGNAMES = {}


def tar_extract(tarball, dest, members=()):
    """Unpack tarball (or only the named members) into directory dest."""
    argv = ["tar", "-xf", tarball, "-C", dest]
    if members:
        argv += ["--"] + list(members)
    proc = program(argv, "tar")
    if proc.returncode != 0:
        raise KmapconvError("unpacking %s failed (exit %d): %s"
                            % (tarball, proc.returncode,
                               first_line(proc.stderr) or "no message"))


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
    proc = program(argv, "patch")
    if proc.returncode != 0:
        raise KmapconvError("%s does not apply to KSRC (patch exit %d): %s"
                            % (patch_file, proc.returncode,
                               first_line(proc.stdout + "\n" + proc.stderr)
                               or "no message"))


def copy_tree(src, dst, hardlink):
    """cp -a src dst, with -l (hard links, no data copied) if hardlink.

    Returns "" on success, else cp's first error line: linking fails
    across file systems or, for non-root users, on files they do not own
    (fs.protected_hardlinks), and the caller then copies instead.
    """
    argv = ["cp", "-a"] + (["-l"] if hardlink else []) + ["--", src, dst]
    proc = program(argv, "cp")
    if proc.returncode != 0:
        return first_line(proc.stderr) or "cp exit %d" % proc.returncode
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
    return program(argv, "make", env=env_with(LC_ALL="C", LANG="C", LC_CTYPE="C",
                                       LC_MESSAGES="C"))


def kconfig_enable(srctree, config, symbols):
    """Switch CONFIG_<symbol> on in the .config file config, with the
    kernel's own scripts/config (it edits the file, nothing else)."""
    # Through bash: a tree copied without mode bits still works.
    argv = ["bash", os.path.join(srctree, "scripts", "config"),
            "--file", config]
    for symbol in symbols:
        argv += ["--enable", symbol]
    proc = program(argv, "scripts/config")
    if proc.returncode != 0:
        raise KmapconvError("scripts/config failed (exit %d): %s"
                            % (proc.returncode,
                               first_line(proc.stderr) or "no message"))


def git_config(key):
    """git config's value for key ("" when unset or git is missing)."""
    try:
        proc = program(["git", "config", "--get", key], "git config")
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
        proc = program(["git", "-C", tree] + list(args), "git")
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
        proc = program(["perl", GET_MAINTAINER] + list(args),
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
            program(["perl", "-I" + FORK_EACH_DIR, "-MKmapconvForkEach",
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
