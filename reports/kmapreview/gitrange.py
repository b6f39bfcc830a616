# SPDX-License-Identifier: GPL-2.0-only
"""BASE..HEAD of a git tree as the review's input.

Only git's object database is read (git diff, git show, git log): the
working tree, the index and the refs of KSRC are left as they are, and
no worktree is registered.  The diff is taken with fixed prefixes and
without renames, colour or external drivers, whatever the user's git
configuration says.
"""

import subprocess

from kmapconv.errors import KmapconvError


def _git(ksrc, args, what):
    argv = ["git", "-C", ksrc, "-c", "core.quotePath=false"] + args
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL,
                              capture_output=True)
    except FileNotFoundError:
        raise KmapconvError("cannot run git: not found (apt-get install git)")
    if proc.returncode != 0:
        first = proc.stderr.decode("utf-8", "replace").strip().split("\n")[0]
        raise KmapconvError("%s: %s" % (what, first or "git exit %d"
                                         % proc.returncode))
    return proc.stdout.decode("utf-8", "surrogateescape")


def check_repo(ksrc):
    _git(ksrc, ["rev-parse", "--git-dir"],
         "KSRC %s is not a git tree (BASE/HEAD need one)" % ksrc)


def commit(ksrc, rev, name):
    """The full id of rev, checked to be a commit."""
    return _git(ksrc, ["rev-parse", "--verify", "--quiet", "--end-of-options",
                       rev + "^{commit}"],
                "%s %s is not a commit in %s" % (name, rev, ksrc)).strip()


def diff(ksrc, base, head):
    return _git(ksrc, ["diff", "--no-color", "--no-ext-diff", "--no-renames",
                       "--no-textconv", "--src-prefix=a/", "--dst-prefix=b/",
                       base, head, "--"], "git diff %s %s" % (base, head))


def show(ksrc, rev, path):
    """The text of path at rev, or None if rev has no such file."""
    try:
        return _git(ksrc, ["show", "%s:%s" % (rev, path)], "git show")
    except KmapconvError:
        return None


def subjects(ksrc, base, head):
    """(short id, subject) of the commits in base..head, oldest first."""
    out = _git(ksrc, ["log", "--reverse", "--no-merges", "--format=%h %s",
                      "%s..%s" % (base, head), "--"], "git log")
    return [tuple(l.split(" ", 1)) if " " in l else (l, "")
            for l in out.splitlines() if l.strip()]
