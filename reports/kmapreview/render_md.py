# SPDX-License-Identifier: GPL-2.0-only
"""report.md: a pull-request comment.

A summary line, the findings table (severity, file:line, kind,
message) and the suggested diffs in collapsible <details> blocks.  No
dates or timings: the same input gives the same report.
"""

import re

from . import verdict

# Function names in messages become code spans; everything else is
# escaped, so "__copy_from_user_inatomic()" is not read as bold and
# "<the address>" not as an HTML tag.
_CALL_RE = re.compile(r"[A-Za-z_][\w]*(?:->\w+)*\(\)")
_SPECIAL_RE = re.compile(r"([\\`*_\[\]<>|#~])")


def _escape(text):
    return _SPECIAL_RE.sub(r"\\\1", text)


def inline(text):
    """Message text as table-safe Markdown."""
    text = " ".join(text.split())
    out, pos = [], 0
    for m in _CALL_RE.finditer(text):
        out.append(_escape(text[pos:m.start()]))
        out.append("`%s`" % m.group(0))
        pos = m.end()
    out.append(_escape(text[pos:]))
    return "".join(out)


def _fence(text):
    fence = "```"
    while fence in text:
        fence += "`"
    return fence


def render(review):
    title = ("changes needed" if review.has_errors
             else "no errors")
    lines = [
        "<!-- SPDX-License-Identifier: GPL-2.0-only -->",
        "## kmap review: %s (%s)" % (title, verdict.counts(review)), "",
        inline(verdict.summary_line(review)), "",
    ]
    if review.commits:
        lines += ["Commits:", ""] + [
            "- `%s` %s" % (sha, inline(subject))
            for sha, subject in review.commits] + [""]
    if not verdict.audit_ran(review):
        lines += ["> **%s**: unmap order, leaks and `kunmap_local()` "
                  "arguments were not checked." % inline(
                      verdict.audit_text(review)), ""]
    lines += ["| severity | location | kind | message |",
              "| --- | --- | --- | --- |"]
    for f in review.findings:
        lines.append("| %s | `%s:%d` | %s | %s |" % (
            f.severity, f.file, f.line, f.kind, inline(f.message)))
    if not review.findings:
        lines.append("| | | | no findings |")
    lines.append("")
    suggested = [f for f in review.findings if f.suggestion]
    if suggested:
        lines += ["### Suggested changes", ""]
        for f in suggested:
            fence = _fence(f.suggestion)
            lines += [
                "<details>",
                "<summary><code>%s:%d</code> %s in <code>%s()</code>"
                "</summary>" % (f.file, f.line, f.kind, f.function), "",
                fence + "diff", f.suggestion.rstrip("\n"), fence, "",
                "</details>", ""]
    lines += ["### Verdict", ""]
    for para in verdict.closing(review):
        if para.startswith("- "):
            if lines[-1] == "":
                lines.pop()
            lines += ["- " + inline(para[2:]), ""]
        else:
            lines += [inline(para), ""]
    return "\n".join(lines).rstrip("\n") + "\n"
