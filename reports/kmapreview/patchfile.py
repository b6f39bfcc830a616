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

# The one diff parser; its names are the review's model too.
from kerneltree.diff import FileDiff, Hunk, HunkLine, span  # noqa: F401
from kerneltree.diff import parse as parse_diff
from kmapconv.errors import KmapconvError

# An mbox "From_" line: "From <sender or sha> <asctime date>".  A body
# line of that shape is escaped (">From ") in an mbox, so this only
# matches message boundaries.
_FROM_LINE_RE = re.compile(
    r"^From \S+\s+\w{3} \w{3}\s+\d{1,2} \d\d:\d\d:\d\d(?: [+-]\d{4})? \d{4}$")
_HEADER_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:[ \t]")
_SUBJECT_NUMBER_RE = re.compile(r"\[[^\]]*?(\d+)/(\d+)[^\]]*\]")


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
