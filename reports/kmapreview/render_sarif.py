# SPDX-License-Identifier: GPL-2.0-only
"""report.sarif: SARIF 2.1.0 for GitHub code scanning.

One run, one rule per finding kind (every kind the review knows, so a
rule's index never changes between runs), one result per finding on
its post-patch line, relative to the kernel tree (%SRCROOT%: the
repository root in a pull request).  The audit's status goes into the
invocation's notifications, so a missing audit is visible there too.
"""

import hashlib
import json
import re

from . import rules, verdict

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
TOOL = "kmapreview"
SRCROOT = "%SRCROOT%"


def _rules(review):
    ids = list(rules.ORDER)
    ids += sorted({f.kind for f in review.findings} - set(ids))
    out = []
    for rid in ids:
        r = rules.rule(rid)
        out.append({
            "id": r.id,
            "name": "".join(w.capitalize() for w in r.id.split("-")),
            "shortDescription": {"text": r.short},
            "fullDescription": {"text": r.full},
            "defaultConfiguration": {"level": r.level},
            "help": {"text": r.full},
            "properties": {"tags": ["kmap", "kmap_local"] + (
                ["lifo-audit"] if rid in rules.AUDIT_KINDS else [])},
        })
    return ids, out


def _location(path, line, column=0, message=None):
    region = {"startLine": max(int(line), 1)}
    if column:
        region["startColumn"] = int(column)
    loc = {"physicalLocation": {
        "artifactLocation": {"uri": path, "uriBaseId": SRCROOT},
        "region": region}}
    if message is not None:
        loc["message"] = {"text": message}
    return loc


def _fingerprint(f):
    # Line numbers move when unrelated code changes; the kind, file,
    # function and wording (numbers blanked) identify the finding.
    text = "\0".join((f.kind, f.file, f.function,
                      re.sub(r"\d+", "N", f.message)))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")) \
        .hexdigest()[:32]


def _result(f, index):
    text = f.message
    if f.suggestion:
        text += "\n\nSuggested change:\n" + f.suggestion
    result = {
        "ruleId": f.kind,
        "ruleIndex": index,
        "level": f.severity,
        "message": {"text": text},
        "locations": [_location(f.file, f.line, f.column)],
        "partialFingerprints": {"kmapreview/v1": _fingerprint(f)},
    }
    if f.function:
        result["locations"][0]["logicalLocations"] = [
            {"name": f.function, "kind": "function"}]
    if f.related:
        result["relatedLocations"] = [
            dict(_location(r["file"], r["line"], 0, r.get("message") or ""),
                 id=i) for i, r in enumerate(f.related, 1)]
    return result


def render(review):
    ids, rule_objs = _rules(review)
    notes = []
    if not verdict.audit_ran(review):
        notes.append({"level": "warning",
                      "message": {"text": verdict.audit_text(review)}})
    sarif = {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [{
            "tool": {"driver": {
                "name": TOOL,
                "version": review.version,
                "semanticVersion": review.version,
                "rules": rule_objs,
            }},
            "automationDetails": {"id": "%s/" % TOOL},
            "invocations": [{
                "executionSuccessful": True,
                "toolExecutionNotifications": notes,
            }],
            "results": [_result(f, ids.index(f.kind))
                        for f in review.findings],
            "properties": {"summary": verdict.summary_line(review),
                           "audit": dict(review.audit)},
        }],
    }
    return json.dumps(sarif, indent=2, ensure_ascii=False) + "\n"

