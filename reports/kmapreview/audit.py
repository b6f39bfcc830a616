# SPDX-License-Identifier: GPL-2.0-only
"""The post-patch LIFO audit of the review: kerneltree.audit (the one
kmap-audit client) on the farm, its answer in the review's terms.

The farm is a scratch tree, so the flags come from KSRC's own prepared
configuration (prepared from KSRC, keyed by its real path: prepared from
the farm it would name paths that are gone when the review ends).

When the audit is missing or fails, the result says so (status
"unavailable" or "failed" with the reason) and the review reports it;
it is never taken for a clean audit.
"""

import os
from dataclasses import dataclass, field

from kerneltree import audit as client

from . import model


@dataclass
class AuditResult:
    status: str                     # model.AUDIT_*
    detail: str = ""
    findings: list = field(default_factory=list)    # JSON objects


def run(tree, files, ksrc, jobs, gate=None):
    """Audit files (relative to tree, the farm over ksrc); an
    AuditResult.  gate: a semaphore each file's audit holds a token of
    (jobs shared with other work), or None."""
    if not files:
        return AuditResult(model.AUDIT_RAN, "no C file to audit")
    why = client.available()
    if why:
        return AuditResult(model.AUDIT_UNAVAILABLE, why)
    try:
        client.prepare(ksrc, files)
        audits = client.audit(tree, list(files), ksrc, jobs, gate)
    except client.AuditError as e:
        return AuditResult(model.AUDIT_FAILED, str(e))
    failed = ["%s: %s" % (path, a.failure) for path, a in audits.items()
              if a.failure]
    if failed:
        return AuditResult(model.AUDIT_FAILED, "; ".join(failed))
    found = []
    for path in files:
        for obj in audits[path].findings:
            # Paths into the scratch tree mean nothing once it is gone.
            obj["message"] = obj["message"].replace(
                tree.rstrip(os.sep) + os.sep, "")
            found.append(obj)
    return AuditResult(model.AUDIT_RAN, "%d file%s audited" % (
        len(files), "" if len(files) == 1 else "s"), found)
