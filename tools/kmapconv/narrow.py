# SPDX-License-Identifier: GPL-2.0-only
"""MAINTAINERS cut down to the sections that can match some paths.

get_maintainer.pl spends most of a run reading MAINTAINERS: a stat()
per F:/X: pattern (is it a directory?) and a regular expression per
pattern and file.  Asked about a patch that touches a handful of files,
all but a few dozen of the ~3000 sections cannot match.  narrowed()
writes a MAINTAINERS that keeps, in their order:

- everything before the first section (get_maintainer.pl skips it);
- every section with an F: pattern whose literal beginning (up to its
  first wildcard or regular-expression character) starts one of the
  paths: get_maintainer.pl matches F: patterns anchored at the start
  of the path, so no other section can match;
- every section with an N: regex (matched against each path) or a K:
  keyword (matched against the patch's lines) that may match: the
  strings a match must contain (must_contain(), read from the literal
  characters of the pattern) appear in the paths or the patch, or the
  pattern is beyond what is read here.

A kept section is copied whole (its X: lines, its M:/R:/L: people), so
get_maintainer.pl --mpath <narrowed file> finds the same addresses as
with the whole file.  Their order can differ only where the script's own
does from run to run: it orders sections that match alike by Perl's
hash order of their indexes in the file (random per run unless the seed
is fixed, see run.PERL_FIXED_HASH), and the narrowed file has other
indexes.  tests/convert/test_narrow.py compares the two on real patches.

question() is the other half: the patch without the lines of its diffs
the script draws nothing from.  It matches each K: pattern against each
line, compiling the pattern again every time; context lines, which can
never match, are most of a patch.
"""

import re

from kerneltree import diff

try:                                    # Python 3.11
    from re import _constants as _sre, _parser as _sre_parse
except ImportError:                     # Python 3.9, 3.10
    import sre_constants as _sre
    import sre_parse as _sre_parse

_REPEATS = tuple(getattr(_sre, name) for name in (
    "MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT") if hasattr(_sre, name))

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
        # [lines (name, typed lines), {"N" or "K": [(pattern, what a
        # match contains, see must_contain)]}, F: literal prefixes]
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
                current = [[name] if name is not None else [], {}, []]
                self.sections.append(current)
                name = None
            current[0].append(line)
            kind, value = m.group(1), m.group(2)
            if kind in ("N", "K"):
                current[1].setdefault(kind, []).append(
                    (value, must_contain(value)))
            elif kind == "F":
                current[2].append(_LITERAL_RE.match(value).group())
        self._by_regex = [(i, s[1]) for i, s in enumerate(self.sections)
                          if s[1]]
        self._by_prefix = {}
        for i, (_lines, _regexes, prefixes) in enumerate(self.sections):
            for prefix in prefixes:
                self._by_prefix.setdefault(prefix, set()).add(i)

    def matching(self, paths, text=None):
        """Indexes of the sections that may match one of paths: by an F:
        pattern, by an N: regex on a path, or by a K: keyword in the
        patch text (None: any text)."""
        found = set()
        joined = "\n".join(sorted(paths))
        for i, regexes in self._by_regex:
            if _may_match(regexes.get("N", ()), joined) or (
                    text is None and "K" in regexes) or (
                    text is not None and _may_match(regexes.get("K", ()),
                                                    text)):
                found.add(i)
        for path in paths:
            for end in range(len(path) + 1):
                found |= self._by_prefix.get(path[:end], set())
        return found

    def narrowed(self, paths, text=None):
        """The text of a MAINTAINERS holding only what paths (and the
        patch text, see matching()) need."""
        keep = self.matching(paths, text)
        out = list(self.head)
        for i, (lines, _regexes, _prefixes) in enumerate(self.sections):
            if i in keep:
                out += lines
                out.append("")
        return "\n".join(out) + "\n"


def _may_match(regexes, text):
    """One of regexes ([(pattern, must_contain(pattern))]) may match a
    part of text."""
    return any(need is None or any(n in text for n in need)
               for _pattern, need in regexes)


def must_contain(pattern):
    """Strings one of which every match of pattern (a K: keyword, a Perl
    regular expression that get_maintainer.pl applies with /x) contains;
    None when that cannot be told: Python's parser rejects the pattern
    (\\Q, \\z, \\p{...}, ...), it ignores case, or nothing is required.
    Only literal characters are read, which mean the same in both."""
    try:
        tree = _sre_parse.parse(pattern, re.VERBOSE)
    except Exception:   # re.error, and worse on odd input: cannot tell
        return None
    if tree.state.flags & re.IGNORECASE:
        return None
    return _required(list(tree))


def _required(items):
    """must_contain() of a parsed sequence: the best of what each of its
    items requires (the longest shortest string)."""
    best = None

    def consider(alternatives):
        nonlocal best
        if alternatives and "" not in alternatives and (
                best is None or
                min(map(len, alternatives)) > min(map(len, best))):
            best = alternatives

    run = []
    for op, av in items:
        if op is _sre.LITERAL:
            run.append(chr(av))
            continue
        consider({"".join(run)} if run else None)
        run = []
        if op is _sre.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if not add_flags & re.IGNORECASE:
                consider(_required(list(sub)))
        elif op is _sre.BRANCH:
            alternatives = set()
            for branch in av[1]:
                need = _required(list(branch))
                if not need:
                    alternatives = None
                    break
                alternatives |= need
            consider(alternatives)
        elif op in _REPEATS and av[0] >= 1:
            consider(_required(list(av[2])))
    consider({"".join(run)} if run else None)
    return best


def patch_paths(text):
    """The paths of the files a patch changes, old and new names, those
    of renames and mode changes too (get_maintainer.pl reads them)."""
    return set(diff.paths(diff.parse(text, header_only=True)))


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
