# SPDX-License-Identifier: GPL-2.0-only
"""Subject prefixes as each subsystem writes them.

In a git tree the prefix is the one the recent commits touching the
same files used most (git log --format=%s -- <files>): "smb: client",
"NFS", "fs/ntfs3".  Reverts and merges do not count; among prefixes
used equally often the most recent wins.

Without history (a tarball, or files no commit touched) the fallback
is the last component of the directory holding the files, as
series.directory_of() cuts it (fs/nilfs2/... -> "nilfs2", net/ceph ->
"ceph"); a file directly in a top-level directory is named by its stem
(fs/aio.c -> "aio"), files of the same name in several directories by
that name (arch/*/kernel/uprobes.c and kernel/events/uprobes.c ->
"uprobes"), other files in several directories by their deepest
common one, and files under different top-level directories by the
name of each ("nfs, sunrpc" for fs/nfs and net/sunrpc).  Below arch/, drivers/ and sound/, a last component that
other subsystems there use as well says little ("mm" of every
architecture, "host" of mmc and usb): the subsystem goes first
(arch/arc/mm -> "arc: mm", drivers/mmc/host -> "mmc: host").  Two
patches of a series that would share a prefix this way get it narrowed
by what each changes alone (narrowed()).
"""

import glob
import os
import re
from collections import Counter

from . import run

# Without MAINTAINERS a file's patch is its directory's: the directory
# holding it cut to DEFAULT_DEPTH components (fs/<x>, net/<x>, mm), or
# DEPTH[top] where the second level is only a category (drivers/md,
# drivers/gpu/drm/<x>, sound/soc/<x>, arch/<arch>/<x>).
DEFAULT_DEPTH = 2
DEPTH = {"drivers": 4, "sound": 3, "arch": 3}
# Commits read per patch: enough for a habit, few enough to be current.
HISTORY = 50
# "subsys: part: Summary": one or more "word:" tokens before the text
# (a token may be "mm, slab" or "fs/ntfs3").
_PREFIX_RE = re.compile(r"^((?:[\w./+-]+(?:, ?[\w./+-]+)*: )+)\S")
_NOT_A_HABIT_RE = re.compile(r"^(?:Revert|Merge|Reapply)\b")


def from_subjects(subjects):
    """The prefix used most in subjects (newest first), "" if none."""
    counts = Counter()
    first = {}
    for n, subject in enumerate(subjects):
        if _NOT_A_HABIT_RE.match(subject):
            continue
        m = _PREFIX_RE.match(subject)
        if m:
            prefix = m.group(1)[:-2]
            counts[prefix] += 1
            first.setdefault(prefix, n)
    if not counts:
        return ""
    return max(counts, key=lambda p: (counts[p], -first[p]))


def directory_of(path):
    """The directory a file's patch is named after (see DEPTH)."""
    parts = os.path.dirname(os.path.normpath(path)).split("/")
    if parts == [""]:
        return ""
    return "/".join(parts[:DEPTH.get(parts[0], DEFAULT_DEPTH)])


def fallback(paths, tree=None):
    """The prefix from the paths alone (see the module's docstring);
    tree: where to see whether a directory's name is its own."""
    stems = {os.path.splitext(os.path.basename(p))[0] for p in paths}
    if len(paths) > 1 and len(stems) == 1:
        return stems.pop()      # one feature across arches: uprobes.c
    dirs = {os.path.dirname(p) for p in paths}
    if len(paths) == 1 and "/" not in next(iter(dirs)) and dirs != {""}:
        return os.path.splitext(os.path.basename(next(iter(paths))))[0]
    common = os.path.commonpath(sorted(dirs)) if "" not in dirs else ""
    if not common and "" not in dirs:
        return _joined(paths, tree)
    directory = directory_of(os.path.join(common, "x")) if common else ""
    if tree and shared_name(tree, directory):
        parts = directory.split("/")
        return "%s: %s" % (parts[1], parts[-1])
    return os.path.basename(directory) or "treewide"


# One patch whose files lie under different top-level directories (one
# MAINTAINERS entry covering fs/nfs and net/sunrpc) is named by each
# area, "nfs, sunrpc", up to this many; beyond that "treewide".
MAX_AREAS = 3


def _joined(paths, tree):
    """The prefixes of paths grouped by top-level directory, joined as
    "mm, slab" is ("treewide" if there are too many)."""
    areas = {}
    for p in sorted(paths):
        areas.setdefault(p.split("/", 1)[0], []).append(p)
    if len(areas) > MAX_AREAS:
        return "treewide"
    names = []
    for group in areas.values():
        name = fallback(group, tree)
        if name not in names:
            names.append(name)
    return ", ".join(names)


def shared_name(tree, directory):
    """Whether directory, under a category of subsystems (DEPTH) and
    below a subsystem of it, has a name another subsystem there gives a
    directory at the same depth."""
    parts = directory.split("/")
    if parts[0] not in DEPTH or len(parts) < 3:
        return False
    pattern = os.path.join(tree, parts[0], *["*"] * (len(parts) - 2),
                           parts[-1])
    return any(os.path.isdir(d) and d != os.path.join(tree, directory)
               for d in glob.glob(pattern))


def narrowed(prefix, paths):
    """prefix with what sets this patch apart from another of the series
    with the same one: the stem of its one file (nvdimm/btt.c, pmem.c:
    "nvdimm: btt", "nvdimm: pmem"), the one directory below the
    prefix's that holds all its files, or the two that do; prefix itself
    when none of these says more."""
    last = prefix.rsplit(": ", 1)[-1]
    if len(paths) == 1:
        name = os.path.splitext(os.path.basename(paths[0]))[0]
    else:
        dirs = sorted({os.path.dirname(p) for p in paths})
        common = os.path.commonpath(dirs)
        name = os.path.basename(common)
        # Files in two sibling directories: "scsi: fcoe, libfc".
        below = sorted({d[len(common) + 1:].split("/")[0] for d in dirs})
        if name == os.path.basename(last) and len(below) == 2 and \
           "" not in below:
            name = ", ".join(below)
    if not name or name == last or name == os.path.basename(last):
        return prefix
    return "%s: %s" % (prefix, name)


class Prefixes:
    """of(paths): the subject prefix for a patch changing paths;
    of_series(paths of each patch): theirs, none shared where the paths
    can tell them apart."""

    def __init__(self, ksrc):
        self.ksrc = ksrc
        self.is_git = bool(ksrc) and run.git_in(
            ksrc, ["rev-parse", "--git-dir"]) is not None

    def of(self, paths):
        if self.is_git:
            log = run.git_in(self.ksrc, ["log", "--no-merges", "-n",
                                         str(HISTORY), "--format=%s", "--"]
                             + sorted(paths))
            found = from_subjects((log or "").split("\n"))
            if found:
                return found
        return fallback(paths, self.ksrc)

    def of_series(self, patches):
        found = [self.of(paths) for paths in patches]
        shared = {p for p, n in Counter(found).items() if n > 1}
        return [narrowed(p, paths) if p in shared else p
                for p, paths in zip(found, patches)]
