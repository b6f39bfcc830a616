# SPDX-License-Identifier: GPL-2.0-only
"""MAINTAINERS cut down to the sections that can match some paths.

get_maintainer.pl spends most of a run reading MAINTAINERS: a stat()
per F:/X: pattern (is it a directory?) and a regular expression per
pattern and file.  Asked about a patch that touches a handful of files,
all but a few dozen of the ~3000 sections cannot match.  narrowed()
writes a MAINTAINERS that keeps, in their order:

- everything before the first section (get_maintainer.pl skips it);
- every section with an N: (file name regex) or K: (keyword in the
  patch) line: those are not judged here;
- every section with an F: pattern whose literal beginning (up to its
  first wildcard or regular-expression character) starts one of the
  paths: get_maintainer.pl matches F: patterns anchored at the start
  of the path, so no other section can match.

A kept section is copied whole (its X: lines, its M:/R:/L: people), so
get_maintainer.pl --mpath <narrowed file> finds the same addresses as
with the whole file.  Their order can differ only where the script's own
does from run to run: it orders sections that match alike by Perl's
hash order of their indexes in the file (random per run unless the seed
is fixed, see run.PERL_FIXED_HASH), and the narrowed file has other
indexes.  tests/test_narrow.py compares the two on real patches.

question() is the other half: the patch without the lines of its diffs
the script draws nothing from.  It matches each K: pattern against each
line, compiling the pattern again every time; context lines, which can
never match, are most of a patch.
"""

import re

_TYPED_RE = re.compile(r"^([A-Z]):\s*(.*)")
# Characters after which an F: pattern is no longer literal: the glob
# wildcards get_maintainer.pl converts and what a regex would read.
_LITERAL_RE = re.compile(r"[^*?\[\](){}+|^$\\]*")


def _is_name(line):
    """get_maintainer.pl keeps every line but blank and # comment ones;
    an untyped one it keeps is the name of the section after it."""
    return bool(line.strip()) and not line.lstrip().startswith("#")


class Maintainers:
    """A MAINTAINERS file as get_maintainer.pl reads it."""

    def __init__(self, text):
        lines = text.split("\n")
        first = next((i for i, l in enumerate(lines) if _TYPED_RE.match(l)),
                     len(lines))
        name_at = first
        for i in range(first - 1, -1, -1):
            if _is_name(lines[i]):
                name_at = i
                break
        self.head = lines[:name_at]
        # [lines (name, typed lines), always kept?, F: literal prefixes]
        self.sections = []
        current, name = None, None
        for line in lines[name_at:]:
            m = _TYPED_RE.match(line)
            if not m:
                current = None
                if _is_name(line):
                    name = line
                continue
            if current is None:
                current = [[name] if name is not None else [], False, []]
                self.sections.append(current)
                name = None
            current[0].append(line)
            kind, value = m.group(1), m.group(2)
            if kind in ("N", "K"):
                current[1] = True
            elif kind == "F":
                current[2].append(_LITERAL_RE.match(value).group())
        self._always = {i for i, s in enumerate(self.sections) if s[1]}
        self._by_prefix = {}
        for i, (_lines, _always, prefixes) in enumerate(self.sections):
            for prefix in prefixes:
                self._by_prefix.setdefault(prefix, set()).add(i)

    def matching(self, paths):
        """Indexes of the sections that may match one of paths."""
        found = set(self._always)
        for path in paths:
            for end in range(len(path) + 1):
                found |= self._by_prefix.get(path[:end], set())
        return found

    def narrowed(self, paths):
        """The text of a MAINTAINERS holding only what paths need."""
        keep = self.matching(paths)
        out = list(self.head)
        for i, (lines, _always, _prefixes) in enumerate(self.sections):
            if i in keep:
                out += lines
                out.append("")
        return "\n".join(out) + "\n"


# The lines get_maintainer.pl takes file names from (one line at a time:
# [ \t], not \s, or "---" would reach into the next line).
_PATCH_FILE_RE = re.compile(r"^(?:\+\+\+|---)[ \t]+(\S+)", re.M)
_GIT_DIFF_RE = re.compile(r"^diff --git a/(\S+) b/(\S+)[ \t]*$", re.M)
_RENAME_RE = re.compile(r"^(?:rename (?:from|to)|"
                        r" mode change [0-7]+ => [0-7]+)[ \t]+(\S+)", re.M)


def patch_paths(text):
    """The paths get_maintainer.pl reads from a patch: its ---/+++ lines
    (the first path component, a/ or b/, dropped), diff --git, rename and
    mode change lines."""
    paths = set()
    for name in _PATCH_FILE_RE.findall(text):
        paths.add(name.split("/", 1)[1] if "/" in name else name)
    for pair in _GIT_DIFF_RE.findall(text):
        paths.update(pair)
    paths.update(_RENAME_RE.findall(text))
    return paths


# What get_maintainer.pl does with a line of a patch once the first file
# header ("--- a/..." or "+++ b/...") is behind it: it takes file names
# from header, rename, mode change and diff --git lines and commits from
# Fixes: lines, and it matches the K: keywords only against lines that
# start with "+" or "-"; a hunk header only gives a range for
# --git-blame.  A line is one line of the file, its newline included, as
# Perl's <$patch> reads it.
_HEADER_LINE_RE = re.compile(r"(?:\+\+\+|---)\s+\S")
_LINE_RE = re.compile(r"[^\n]*\n|[^\n]+\Z")   # Perl's lines, not Python's
_KEPT_LINE_RE = re.compile(r"[+-]| mode change |rename (?:from|to) |"
                           r"diff --git |Fixes:")


def question(text):
    """text without the lines of its diffs get_maintainer.pl draws
    nothing from (context lines, hunk headers, "\\ No newline", ...): the
    same answer for less work.  The script matches every K: pattern
    against every line, compiling it again each time, and context is
    most of a patch."""
    out = []
    in_diff = False
    for line in _LINE_RE.findall(text):
        if not in_diff:
            in_diff = bool(_HEADER_LINE_RE.match(line))
        elif not _KEPT_LINE_RE.match(line):
            continue
        out.append(line)
    return "".join(out)
