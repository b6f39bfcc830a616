# SPDX-License-Identifier: GPL-2.0-only
"""The post-patch LIFO audit's findings in the touched functions.

Findings elsewhere in the audited files are about code the patch did
not touch and belong to another review.  The audit's kinds are the
finding kinds (rule ids); every one but parse-error is an error.  A
parse error is kept wherever it is in a reviewed file (a warning): the
functions holding one were not audited, and which those are is the
audit's to say.
"""

from .. import model


def check(ctx):
    if ctx.audit.status != model.AUDIT_RAN:
        return []
    findings = []
    for obj in ctx.audit.findings:
        fs = ctx.scopes.get(obj["file"])
        if fs is None:
            continue
        func = fs.post_function(obj["line"])
        if func is None and obj["kind"] != "parse-error":
            continue
        related = [{"file": r.get("file", obj["file"]),
                    "line": r["line"], "message": r.get("message", "")}
                   for r in obj.get("related") or []
                   if isinstance(r, dict) and isinstance(r.get("line"), int)]
        column = obj.get("column")
        findings.append(model.Finding(
            obj["kind"], obj["file"], obj["line"],
            column=column if isinstance(column, int) else 0,
            function=str(obj.get("function") or (func.name if func
                                                  else "")),
            message=str(obj.get("message") or obj["kind"]),
            related=related))
    return findings
