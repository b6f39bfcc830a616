# SPDX-License-Identifier: GPL-2.0-only
"""review.txt: a plain-text reply in mailing-list style.

The hunks that change mappings (and any other hunk a finding points
into) are quoted with "> ", each comment goes right under the line it
concerns, skipped hunks become "[...]", and the reply ends with the
verdict: ready for a Reviewed-by, or what must change.  Bottom-posted,
wrapped at 72 columns, no dates of its own.
"""

import textwrap

from . import verdict

WIDTH = 72


def _wrap(text, prefix="", indent=""):
    return textwrap.wrap(" ".join(text.split()), WIDTH,
                         initial_indent=prefix, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


def _comment(f, located):
    head = "%s (%s): " % (f.severity, f.kind)
    if not located:
        head = "%s:%d: %s" % (f.file, f.line, head)
    out = _wrap(f.message, head)
    for r in f.related:
        out += _wrap("%s:%d: %s" % (r["file"], r["line"], r["message"]),
                     "  see ")
    if f.suggestion:
        out += ["", "Suggested change:", ""] + \
            f.suggestion.rstrip("\n").split("\n")
    return out


def _by_anchor(findings):
    placed, loose = {}, []
    for f in findings:
        a = f.anchor
        if not a:
            loose.append(f)
            continue
        key = (a["message"], a["file"], a["hunk"])
        placed.setdefault(key, {}).setdefault(a.get("line"), []).append(f)
    return placed, loose


def _intro(review, m):
    out = []
    if m.subject:
        out.append(m.subject)
    if m.author:
        out.append("On %s, %s wrote:" % (m.date, m.author) if m.date
                   else "%s wrote:" % m.author)
    else:
        out.append("%s:" % review.source)
    return out


def _quote_file(fd, mi, fi, placed, out):
    skipped = False
    quoted_any = False
    for hi, hunk in enumerate(fd.hunks):
        notes = placed.get((mi, fi, hi), {})
        if not hunk.relevant and not notes:
            skipped = True
            continue
        if not quoted_any:
            out += ["> " + h for h in fd.headers if not h.startswith("index ")]
            quoted_any = True
        if skipped:
            out.append("[...]")
        skipped = False
        out.append("> " + hunk.header)
        for li, hl in enumerate(hunk.lines):
            out.append(("> " + hl.kind + hl.text).rstrip())
            for f in notes.get(li, []):
                out += [""] + _comment(f, True) + [""]
        for f in notes.get(None, []):
            out += [""] + _comment(f, False) + [""]
    if quoted_any and skipped:
        out.append("[...]")
    return quoted_any


def render(review):
    placed, loose = _by_anchor(review.findings)
    out = []
    for mi, m in enumerate(review.messages):
        section = []
        quoted = False
        for fi, fd in enumerate(m.files):
            quoted |= _quote_file(fd, mi, fi, placed, section)
        if not quoted:
            continue
        if out:
            out += ["", ""]
        out += _intro(review, m) + section
    if not out:
        out = ["No hunk of %s adds or removes a mapping call." % review.source]
    if loose:
        out += ["", "Elsewhere in the touched functions:", ""]
        for f in loose:
            out += _comment(f, False) + [""]
    out += [""] + _wrap(verdict.summary_line(review))
    for para in verdict.closing(review):
        if para.startswith("- "):
            out += _wrap(para, indent="  ")
        else:
            out += [""] + _wrap(para)
    out += ["", "-- ", "kmapreview %s" % review.version]
    # Collapse runs of blank lines the pieces leave between them.
    text = []
    for line in out:
        if line == "" and text and text[-1] == "":
            continue
        text.append(line)
    return "\n".join(text).rstrip("\n") + "\n"
