# SPDX-License-Identifier: GPL-2.0-only
"""The one unified-diff parser: -p1 diffs as diff -u -p, git diff, git
format-patch and mailers write them.

Hunks are read by the line counts of their @@ headers, so a removed line
that reads "-- x" ("--- x" in the diff), the "-- " signature git
format-patch appends or a reply's text after the diff is never taken
for a file header or a hunk line.  The text is split at "\\n" only:
str.splitlines() also splits at form feeds (which kernel sources
contain) and would cut such a line in two.

Each FileDiff keeps its section of the text verbatim (text), so the
sections of a diff joined again give the diff, and counts its added and
deleted lines (diffstat).  Lines between sections (a commit message, a
diffstat, "Binary files ... differ") belong to none.
"""

import posixpath
import re
from dataclasses import dataclass, field

from kmapconv.errors import KmapconvError

_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")
_GIT_DIFF_RE = re.compile(r"^diff --git (\S+) (\S+)$")
# git's extended header lines, kept with the section that follows them.
_EXTENDED_RE = re.compile(r"^(old|new|deleted|similarity|dissimilarity"
                          r"|rename|copy|index) ")


@dataclass
class HunkLine:
    kind: str            # " " context, "-" removed, "+" added
    text: str            # without the kind character and the newline
    no_eol: bool = False  # followed by "\ No newline at end of file"
    # Lines in the original and the final file, for a consumer to set
    # (the review numbers them across a whole series).
    old: int = None
    new: int = None


@dataclass
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str         # the text after the second @@ (git's function)
    lines: list = field(default_factory=list)   # HunkLine
    relevant: bool = False   # a consumer's mark (the review's: it maps)

    @property
    def header(self):
        return "@@ -%s +%s @@%s" % (
            span(self.old_start, self.old_count),
            span(self.new_start, self.new_count),
            " " + self.section if self.section else "")

    def old_lines(self):
        return [l for l in self.lines if l.kind != "+"]

    def new_lines(self):
        return [l for l in self.lines if l.kind != "-"]


def lines(text):
    """text's lines, each with its "\n" (the last may lack one), split at
    "\n" only: str.splitlines() also splits at a form feed or "\r",
    which a kernel source line may hold, and so miscounts lines."""
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out


def span(start, count):
    return str(start) if count == 1 else "%d,%d" % (start, count)


@dataclass
class FileDiff:
    old_path: str        # None for a new file
    new_path: str        # None for a deleted file
    headers: list = field(default_factory=list)   # the lines before hunks
    hunks: list = field(default_factory=list)
    text: str = ""       # the section as it stands in the diff

    @property
    def path(self):
        return self.new_path or self.old_path

    @property
    def added(self):
        return sum(l.kind == "+" for h in self.hunks for l in h.lines)

    @property
    def deleted(self):
        return sum(l.kind == "-" for h in self.hunks for l in h.lines)


def strip_p1(name, what):
    """A -p1 path: "a/fs/x.c" -> "fs/x.c"; /dev/null -> None.  A path
    without the a/ or b/ component or leaving the tree is refused."""
    name = name.split("\t")[0].rstrip()      # diff -u appends a date
    if name.startswith('"') and name.endswith('"'):
        name = name[1:-1]
    if name == "/dev/null":
        return None
    if "/" not in name:
        raise KmapconvError("%s names %s without a directory prefix (a/, "
                            "b/), so it is not a path inside the tree as "
                            "-p1 reads it" % (what, name))
    path = posixpath.normpath(name.split("/", 1)[1])
    if path.startswith("/") or path in (".", "..") or \
            path.startswith("../"):
        raise KmapconvError("%s names %s, which is not a path inside the "
                            "tree (it leads outside the tree)"
                            % (what, name))
    return path


def _read_hunk(lines, i, hunk, what):
    """Read the body of hunk starting at lines[i]; return the next index."""
    want_old, want_new = hunk.old_count, hunk.new_count
    while want_old or want_new:
        if i >= len(lines):
            raise KmapconvError("%s: hunk %s is cut short (the patch ends "
                                "inside it)" % (what, hunk.header))
        line = lines[i]
        kind = line[:1]
        # Mailers often strip the single space of an empty context line.
        if line == "":
            kind, line = " ", " "
        if kind == "\\":
            if hunk.lines:
                hunk.lines[-1].no_eol = True
            i += 1
            continue
        if kind not in " -+":
            raise KmapconvError("%s: line %r does not belong in hunk %s (%d "
                                "old and %d new lines fewer than its header "
                                "says)" % (what, line[:60], hunk.header,
                                           want_old, want_new))
        if kind in " -":
            want_old -= 1
        if kind in " +":
            want_new -= 1
        if want_old < 0 or want_new < 0:
            raise KmapconvError("%s: hunk %s is longer than its header says"
                                % (what, hunk.header))
        hunk.lines.append(HunkLine(kind, line[1:]))
        i += 1
    while i < len(lines) and lines[i].startswith("\\"):
        if hunk.lines:
            hunk.lines[-1].no_eol = True
        i += 1
    return i


def parse(text, what="the patch", header_only=False):
    """The FileDiffs of the unified diff(s) in text, in order.

    header_only: also the git sections without ---/+++ lines (a rename,
    a mode change, a binary file), with their paths and no hunks; they
    hold no code, so by default they are passed over like any line
    between sections.

    Raises KmapconvError (naming what) on a malformed hunk, a hunk
    outside any file section, a section without hunks or naming
    /dev/null twice, and a path outside the tree."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()             # after the last newline: not a line
    files = []
    pending = []        # "diff ..." and extended header lines
    i = 0

    def flush_header_only():
        """A git section without ---/+++ (a rename, a mode change, a
        binary file): its paths, no hunks."""
        m = _GIT_DIFF_RE.match(pending[0]) if pending and \
            header_only else None
        if m:
            files.append(FileDiff(strip_p1(m.group(1), what),
                                  strip_p1(m.group(2), what),
                                  headers=list(pending),
                                  text="\n".join(pending) + "\n"))

    while i < len(lines):
        line = lines[i]
        if line.startswith("diff "):
            flush_header_only()
            pending = [line]
            i += 1
            continue
        if pending and _EXTENDED_RE.match(line):
            pending.append(line)
            i += 1
            continue
        if (line.startswith("--- ") and i + 1 < len(lines)
                and lines[i + 1].startswith("+++ ")):
            start = i - len(pending)
            fd = FileDiff(strip_p1(line[4:], what),
                          strip_p1(lines[i + 1][4:], what),
                          headers=pending + [line, lines[i + 1]])
            if not fd.old_path and not fd.new_path:
                raise KmapconvError("%s: a file section names /dev/null on "
                                    "both sides" % what)
            pending = []
            i += 2
            where = "%s, %s" % (what, fd.path)
            while i < len(lines):
                m = _HUNK_RE.match(lines[i])
                if not m:
                    break
                hunk = Hunk(int(m.group(1)),
                            int(m.group(2)) if m.group(2) else 1,
                            int(m.group(3)),
                            int(m.group(4)) if m.group(4) else 1,
                            m.group(5).strip())
                i = _read_hunk(lines, i + 1, hunk, where)
                fd.hunks.append(hunk)
            if not fd.hunks:
                raise KmapconvError("%s: %s has file headers but no hunk"
                                    % (what, fd.path))
            fd.text = "\n".join(lines[start:i]) + "\n"
            files.append(fd)
            continue
        if _HUNK_RE.match(line):
            raise KmapconvError("%s: hunk without ---/+++ file header "
                                "(line %d)" % (what, i + 1))
        flush_header_only()
        pending = []
        i += 1
    flush_header_only()
    return files


def paths(files):
    """Every path the FileDiffs name, old and new, in order, once."""
    return list(dict.fromkeys(p for fd in files
                              for p in (fd.old_path, fd.new_path) if p))
