# SPDX-License-Identifier: GPL-2.0-only
"""Which files spatch has to look at.

Running spatch on every file of the kernel would take hours; only files
that textually mention kmap( or kmap_atomic( can contain a site, and
grep finds those in about a second on the whole tree.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from . import run
from .errors import KmapconvError

# The candidate pattern, in grep -E syntax (\s and \b are GNU
# extensions, fine on Debian).  coverage.CALL_RE is the Python twin.
GREP_PATTERN = r"\bkmap(_atomic)?\s*\("


@dataclass
class Candidates:
    scanned: int                  # .c/.h files under SUBSYS
    files: list                   # candidate paths relative to KSRC, sorted
    sizes: dict                   # path -> size in bytes (for batching)
    unreadable: list = field(default_factory=list)   # (path, message)


def count_sources(ksrc, subsys):
    """Number of regular .c/.h files under subsys, symlinks not followed
    (the same files grep -r looks at)."""
    count = 0
    stack = [os.path.join(ksrc, subsys)]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        stack.append(entry.path)
                    elif (entry.name.endswith((".c", ".h"))
                          and entry.is_file(follow_symlinks=False)):
                        count += 1
        except OSError:
            pass        # grep reports unreadable directories for us
    return count


def find(ksrc, subsys, jobs=1):
    """Candidate files of subsys (relative to the real KSRC path ksrc),
    grep'ed by jobs processes."""
    # The count walks the tree while grep reads it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        scanned = pool.submit(count_sources, ksrc, subsys)
        files, problems = grep_candidates(ksrc, subsys, jobs)
        scanned = scanned.result()
    sizes = {}
    for path in files:
        try:
            sizes[path] = os.path.getsize(os.path.join(ksrc, path))
        except OSError as e:
            problems.append((path, e.strerror))
    return Candidates(scanned=scanned,
                      files=sorted(sizes), sizes=sizes,
                      unreadable=sorted(problems))


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
    proc = run.program(argv, "grep", cwd=ksrc, env=run.env_with(LC_ALL="C"))
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
                            % (proc.returncode, run.first_line(proc.stderr)))
    files = [os.path.normpath(f) for f in proc.stdout.split("\0") if f]
    return files, problems
