# SPDX-License-Identifier: GPL-2.0-only
"""The review as data: what the checks found and the hunks it concerns.

The three renderings (report.md, report.sarif, review.txt) are pure
functions of a Review, which is also written as OUT/review.json; the
golden tests feed them a Review read back from JSON.
"""

import json
from dataclasses import asdict, dataclass, field

from . import patchfile
from .rules import SEVERITIES, rule

AUDIT_RAN = "ran"
AUDIT_UNAVAILABLE = "unavailable"
AUDIT_FAILED = "failed"


@dataclass
class Finding:
    kind: str
    file: str
    line: int                  # post-patch line (1-based)
    message: str
    function: str = ""
    column: int = 0            # 0: unknown
    severity: str = ""         # "" -> the rule's level
    related: list = field(default_factory=list)   # {file, line, message}
    suggestion: str = ""       # a unified diff, or ""
    # Where review.txt puts the comment: indexes of message, file, hunk
    # and hunk line; None when the line is in no hunk.
    anchor: dict = None

    def __post_init__(self):
        if not self.severity:
            self.severity = rule(self.kind).level
        if self.severity not in SEVERITIES:
            raise ValueError("bad severity %r" % self.severity)

    def sort_key(self):
        return (SEVERITIES.index(self.severity), self.file, self.line,
                self.column, self.kind, self.message)


@dataclass
class Review:
    source: str                # "PATCH <file>" or "BASE..HEAD" label
    ksrc: str
    version: str
    messages: list             # patchfile.Message (hunk lines annotated)
    findings: list             # Finding
    audit: dict                # {"status": ..., "detail": ...}
    commits: list = field(default_factory=list)   # [short id, subject]
    stats: dict = field(default_factory=dict)
    reviewer: str = ""         # "Name <email>" for the Reviewed-by line

    def count(self, severity):
        return sum(f.severity == severity for f in self.findings)

    @property
    def has_errors(self):
        return self.count("error") > 0


# -- JSON ---------------------------------------------------------------

def _message_dict(m):
    return {
        "subject": m.subject, "author": m.author, "date": m.date,
        "number": m.number,
        "files": [{
            "old_path": fd.old_path, "new_path": fd.new_path,
            "headers": fd.headers,
            "hunks": [{
                "old_start": h.old_start, "old_count": h.old_count,
                "new_start": h.new_start, "new_count": h.new_count,
                "section": h.section, "relevant": h.relevant,
                "lines": [[l.kind, l.text, l.old, l.new] + (
                    [True] if l.no_eol else []) for l in h.lines],
            } for h in fd.hunks],
        } for fd in m.files],
    }


def _message_obj(d):
    m = patchfile.Message(d["subject"], d["author"], d["date"], d["number"])
    for fdd in d["files"]:
        fd = patchfile.FileDiff(fdd["old_path"], fdd["new_path"],
                                list(fdd["headers"]))
        for hd in fdd["hunks"]:
            h = patchfile.Hunk(hd["old_start"], hd["old_count"],
                               hd["new_start"], hd["new_count"],
                               hd["section"], relevant=hd["relevant"])
            for row in hd["lines"]:
                h.lines.append(patchfile.HunkLine(
                    row[0], row[1], no_eol=len(row) > 4 and row[4],
                    old=row[2], new=row[3]))
            fd.hunks.append(h)
        m.files.append(fd)
    return m


def to_json(review):
    d = {
        "source": review.source, "ksrc": review.ksrc,
        "version": review.version, "reviewer": review.reviewer,
        "commits": review.commits, "stats": review.stats,
        "audit": review.audit,
        "findings": [asdict(f) for f in review.findings],
        "messages": [_message_dict(m) for m in review.messages],
    }
    return json.dumps(d, indent=1, ensure_ascii=False) + "\n"


def from_json(text):
    d = json.loads(text)
    return Review(
        source=d["source"], ksrc=d["ksrc"], version=d["version"],
        messages=[_message_obj(m) for m in d["messages"]],
        findings=[Finding(**f) for f in d["findings"]],
        audit=d["audit"], commits=d.get("commits", []),
        stats=d.get("stats", {}), reviewer=d.get("reviewer", ""))
