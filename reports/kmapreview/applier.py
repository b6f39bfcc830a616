# SPDX-License-Identifier: GPL-2.0-only
"""Apply the messages of a patch in memory, keeping track of every line.

GNU patch would produce the same post-patch files, but the review needs
more than the files: for each line of each hunk, where it is in the
original file and where it ends up in the final one (a later patch of a
series can move it again).  Each line is an object that keeps its
identity while hunks are applied around it, so after the last message
its position in the final file is simply its index.

A hunk is placed like GNU patch without fuzz: its old lines must match
exactly, at the position the header gives or at the nearest offset
after the previous hunk.  One that matches nowhere is named in the
error (message, file, hunk number and header, first differing line).
"""

from dataclasses import dataclass, field

from kmapconv.errors import KmapconvError


class Line:
    __slots__ = ("text", "origin", "final")

    def __init__(self, text, origin=None):
        self.text = text
        self.origin = origin      # line number in the original file
        self.final = None         # line number in the final file


@dataclass
class FileState:
    lines: list                  # Line
    eol: bool = True             # the last line ends with a newline


@dataclass
class Applied:
    pre: dict = field(default_factory=dict)   # path -> original text/None
    post: dict = field(default_factory=dict)  # path -> final text/None
    # path -> for each final line, its line in the original file (None
    # for a line the patch added)
    origins: dict = field(default_factory=dict)


def _split(text):
    lines = text.split("\n")
    eol = text.endswith("\n") or text == ""
    if eol:
        lines.pop()
    return FileState([Line(t, n) for n, t in enumerate(lines, 1)], eol)


def _join(state):
    text = "\n".join(l.text for l in state.lines)
    return text + "\n" if state.lines and state.eol else text


def _matches(lines, pos, want):
    if pos < 0 or pos + len(want) > len(lines):
        return False
    return all(lines[pos + i].text == w for i, w in enumerate(want))


def _find(lines, expected, want, floor):
    """The position nearest to expected (not before floor) where want
    matches, or None."""
    last = len(lines) - len(want)
    if last < floor:
        return None
    if not want:
        return min(max(expected, floor), last)
    for pos in sorted(range(floor, last + 1),
                      key=lambda p: (abs(p - expected), p)):
        if _matches(lines, pos, want):
            return pos
    return None


def _why_not(lines, expected, want):
    if not lines:
        return "the file is empty"
    if expected >= len(lines):
        return ("the file has only %d lines; the hunk expects line %d"
                % (len(lines), expected + 1))
    for i, w in enumerate(want):
        n = expected + i
        if n >= len(lines):
            return "the file ends at line %d" % len(lines)
        if lines[n].text != w:
            return ("line %d reads %r, the hunk expects %r"
                    % (n + 1, lines[n].text.strip()[:60], w.strip()[:60]))
    return "its context is not found"


class Tree:
    """The files a patch touches, as they are while it is applied.

    read(path) gives a file's original text, or None if it does not
    exist; it is asked once per path.
    """

    def __init__(self, read):
        self._read = read
        self.files = {}            # path -> FileState or None
        self.original = {}         # path -> text or None

    def _get(self, path):
        if path not in self.files:
            text = self._read(path)
            self.original[path] = text
            self.files[path] = None if text is None else _split(text)
        return self.files[path]

    def apply_file(self, fd, where):
        old = fd.old_path
        state = self._get(old) if old else None
        if old and state is None:
            raise KmapconvError("%s: hunk #1 (%s) of %s does not apply: "
                                "%s does not exist in KSRC"
                                % (where, fd.hunks[0].header, old, old))
        if not old:
            if self._get(fd.new_path) is not None:
                raise KmapconvError("%s creates %s, which already exists"
                                    % (where, fd.new_path))
            state = FileState([])
        offset = 0
        floor = 0
        for n, hunk in enumerate(fd.hunks, 1):
            olds = hunk.old_lines()
            want = [l.text for l in olds]
            # A zero-length old side names the line after which to add.
            expected = hunk.old_start - (1 if hunk.old_count else 0) + offset
            pos = _find(state.lines, expected, want, floor)
            if pos is None:
                raise KmapconvError(
                    "%s: hunk #%d (%s) of %s does not apply: %s"
                    % (where, n, hunk.header, fd.path,
                       _why_not(state.lines, max(expected, floor), want)))
            offset = pos - (hunk.old_start - (1 if hunk.old_count else 0))
            at_end = pos + len(olds) == len(state.lines)
            replaced = state.lines[pos:pos + len(olds)]
            new = []
            k = 0
            for hl in hunk.lines:
                if hl.kind == "+":
                    hl.obj = Line(hl.text)
                    new.append(hl.obj)
                    continue
                hl.obj = replaced[k]
                k += 1
                if hl.kind == " ":
                    new.append(hl.obj)
            state.lines[pos:pos + len(olds)] = new
            floor = pos + len(new)
            if at_end:
                news = hunk.new_lines()
                state.eol = not (news and news[-1].no_eol)
        if fd.new_path is None:
            if state.lines:
                raise KmapconvError("%s deletes %s but leaves %d lines in it"
                                    % (where, old, len(state.lines)))
            self.files[old] = None
            return
        if old and old != fd.new_path:
            # A rename: the new name must be free.
            if self._get(fd.new_path) is not None:
                raise KmapconvError("%s renames %s to %s, which already "
                                    "exists" % (where, old, fd.new_path))
            self.files[old] = None
        self.files[fd.new_path] = state

    def finish(self):
        """Number the final lines and annotate every hunk line that was
        applied with its original and final line numbers."""
        for state in self.files.values():
            if state is not None:
                for n, line in enumerate(state.lines, 1):
                    line.final = n
        return Applied(
            pre=dict(self.original),
            post={p: None if s is None else _join(s)
                  for p, s in self.files.items()},
            origins={p: [l.origin for l in s.lines]
                     for p, s in self.files.items() if s is not None})


def _annotate(messages):
    for m in messages:
        for fd in m.files:
            for hunk in fd.hunks:
                for hl in hunk.lines:
                    obj = getattr(hl, "obj", None)
                    hl.old = obj.origin if obj is not None else None
                    hl.new = obj.final if obj is not None and \
                        hl.kind != "-" else None
                    if obj is not None:
                        del hl.obj


def apply(messages, read, label="PATCH"):
    """Apply messages (patchfile.Message) to the files read() gives.

    Returns Applied; every HunkLine gets .old/.new.  Raises
    KmapconvError naming the first hunk that does not apply.
    """
    tree = Tree(read)
    total = len(messages)
    for i, m in enumerate(messages, 1):
        where = label if total == 1 else "%s, message %d of %d (%s)" % (
            label, i, total, m.label)
        for fd in m.files:
            tree.apply_file(fd, where)
    applied = tree.finish()
    _annotate(messages)
    return applied
