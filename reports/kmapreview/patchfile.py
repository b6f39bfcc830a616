# SPDX-License-Identifier: GPL-2.0-only
"""Read what a reviewer is handed: a unified diff, a git format-patch
file, or an mbox holding a series (as b4 am or a list archive gives it).

The result is a list of Message objects, each with the file sections of
its diff and their hunks.  Hunks are read by their line counts, so the
"-- " signature git format-patch appends, or a reply's text after the
diff, is never taken for a removed line.
"""

import email
import email.policy
import re
from dataclasses import dataclass, field

from kmapconv.errors import KmapconvError

# An mbox "From_" line: "From <sender or sha> <asctime date>".  A body
# line of that shape is escaped (">From ") in an mbox, so this only
# matches message boundaries.
_FROM_LINE_RE = re.compile(
    r"^From \S+\s+\w{3} \w{3}\s+\d{1,2} \d\d:\d\d:\d\d(?: [+-]\d{4})? \d{4}$")
_HEADER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:[ \t]")
_HUNK_RE = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@ ?(.*)$")
_SUBJECT_NUMBER_RE = re.compile(r"\[[^\]]*?(\d+)/(\d+)[^\]]*\]")


@dataclass
class HunkLine:
    kind: str            # " " context, "-" removed, "+" added
    text: str            # without the kind character and the newline
    no_eol: bool = False  # followed by "\ No newline at end of file"
    old: int = None      # line in the original (pre-patch) file
    new: int = None      # line in the final (post-patch) file


@dataclass
class Hunk:
    old_start: int
    old_count: int
    new_start: int
    new_count: int
    section: str         # the text after the second @@ (git's function)
    lines: list = field(default_factory=list)   # HunkLine
    relevant: bool = False   # adds or removes a map/unmap call

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


def span(start, count):
    return str(start) if count == 1 else "%d,%d" % (start, count)


@dataclass
class FileDiff:
    old_path: str        # None for a new file
    new_path: str        # None for a deleted file
    headers: list = field(default_factory=list)   # the lines before hunks
    hunks: list = field(default_factory=list)

    @property
    def path(self):
        return self.new_path or self.old_path


@dataclass
class Message:
    subject: str = ""    # "" for a bare diff
    author: str = ""
    date: str = ""
    number: int = 0      # n of [PATCH n/N], 0 if none
    files: list = field(default_factory=list)     # FileDiff

    @property
    def label(self):
        return self.subject or "the patch"


def _strip_prefix(name, what):
    """A -p1 path: "a/fs/x.c" -> "fs/x.c"; /dev/null -> None."""
    name = name.split("\t")[0].strip()
    if name.startswith('"') and name.endswith('"'):
        name = name[1:-1]
    if name == "/dev/null":
        return None
    if "/" not in name:
        raise KmapconvError("%s names %s without a directory prefix (a/, "
                            "b/); only -p1 diffs are supported" % (what, name))
    path = name.split("/", 1)[1]
    parts = path.split("/")
    if not path or path.startswith("/") or ".." in parts:
        raise KmapconvError("%s names a path outside the tree: %s"
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
            raise KmapconvError("%s: hunk %s has %d old and %d new lines "
                                "fewer than its header says (line %r)"
                                % (what, hunk.header, want_old, want_new,
                                   line[:60]))
        if kind in " -":
            want_old -= 1
        if kind in " +":
            want_new -= 1
        if want_old < 0 or want_new < 0:
            raise KmapconvError("%s: hunk %s holds more lines than its "
                                "header says" % (what, hunk.header))
        hunk.lines.append(HunkLine(kind, line[1:]))
        i += 1
    if i < len(lines) and lines[i].startswith("\\"):
        hunk.lines[-1].no_eol = True
        i += 1
    return i


def parse_diff(text, what="the patch"):
    """The FileDiffs of the unified diff(s) in text (other lines, such as
    a commit message or a diffstat, are skipped)."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()             # after the last newline: not a line
    files = []
    pending = []        # "diff --git" and extended header lines
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.startswith("diff "):
            pending = [line]
            i += 1
            continue
        if pending and re.match(r"^(old|new|deleted|similarity|dissimilarity"
                                r"|rename|copy|index) ", line):
            pending.append(line)
            i += 1
            continue
        if (line.startswith("--- ") and i + 1 < len(lines)
                and lines[i + 1].startswith("+++ ")):
            fd = FileDiff(_strip_prefix(line[4:], what),
                          _strip_prefix(lines[i + 1][4:], what),
                          headers=pending + [line, lines[i + 1]])
            pending = []
            i += 2
            where = "%s, %s" % (what, fd.path)
            while i < len(lines):
                m = _HUNK_RE.match(lines[i])
                if not m:
                    break
                hunk = Hunk(int(m.group(1)), int(m.group(2) or 1),
                            int(m.group(3)), int(m.group(4) or 1),
                            m.group(5).strip())
                i = _read_hunk(lines, i + 1, hunk, where)
                fd.hunks.append(hunk)
            if not fd.hunks:
                raise KmapconvError("%s: %s has file headers but no hunk"
                                    % (what, fd.path))
            if not fd.old_path and not fd.new_path:
                raise KmapconvError("%s: a file section names /dev/null "
                                    "twice" % what)
            files.append(fd)
            continue
        # "Binary files ... differ" and "GIT binary patch" sections hold
        # no C code: they are passed over like any other non-diff line.
        pending = []
        i += 1
    return files


def _split_mbox(text):
    """The messages of an mbox, or [text] when it has no From_ lines."""
    lines = text.split("\n")
    starts = [n for n, l in enumerate(lines) if _FROM_LINE_RE.match(l)
              and (n == 0 or lines[n - 1] == "")]
    if not starts or any(l.strip() for l in lines[:starts[0]]):
        return [text]
    bounds = starts + [len(lines)]
    return ["\n".join(lines[a + 1:b]) for a, b in zip(bounds, bounds[1:])]


def _looks_like_mail(text):
    head = text.lstrip("\n").split("\n", 1)[0]
    return bool(_HEADER_RE.match(head))


def _body(msg):
    """The decoded text of a message: its text/plain parts or patch
    attachments, transfer encodings (quoted-printable, base64) undone."""
    parts = msg.walk() if msg.is_multipart() else [msg]
    texts = []
    for part in parts:
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        if not (ctype.startswith("text/") or ctype.endswith("patch")
                or ctype.endswith("diff")):
            continue
        raw = part.get_payload(decode=True)
        if raw is None:
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            texts.append(raw.decode(charset, errors="surrogateescape"))
        except LookupError:
            texts.append(raw.decode("utf-8", errors="surrogateescape"))
    return "\n".join(texts).replace("\r\n", "\n")


def _clean_header(value):
    return " ".join(str(value or "").split())


def _message(text, what):
    if not _looks_like_mail(text):
        return Message(files=parse_diff(text, what))
    msg = email.message_from_bytes(text.encode("utf-8", "surrogateescape"),
                                   policy=email.policy.default)
    subject = _clean_header(msg.get("Subject"))
    m = _SUBJECT_NUMBER_RE.search(subject)
    # The Date as the sender wrote it (the parsed header is normalised).
    raw = dict((k.lower(), v) for k, v in msg.raw_items())
    return Message(subject=subject, author=_clean_header(msg.get("From")),
                   date=_clean_header(raw.get("date")),
                   number=int(m.group(1)) if m else 0,
                   files=parse_diff(_body(msg), subject or what))


def parse(text, what="PATCH"):
    """The messages of a patch file that carry a diff, in series order.

    Raises KmapconvError when there is no diff at all ("not a patch") or
    a hunk is malformed.  A cover letter (no diff) is dropped.
    """
    chunks = _split_mbox(text)
    messages = [_message(chunk, what) for chunk in chunks]
    messages = [m for m in messages if m.files]
    if not messages:
        raise KmapconvError("%s is not a patch: no unified diff hunk found"
                            % what)
    # b4 and list archives keep the series order; a hand-made mbox may
    # not, and [PATCH n/N] says which comes first.
    if all(m.number for m in messages):
        messages.sort(key=lambda m: m.number)
    return messages
