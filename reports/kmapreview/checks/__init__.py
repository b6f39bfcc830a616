# SPDX-License-Identifier: GPL-2.0-only
"""The review's checks, one concern per module (as in smatch: a new
kind of finding is a new file).  Each exposes check(ctx) -> [Finding].
"""

from dataclasses import dataclass, field

from . import (atomic_deps, audit_findings, converted, new_legacy,
               not_analysed, unconverted, unmap_page)

CHECKS = (converted, atomic_deps, unmap_page, unconverted, new_legacy,
          not_analysed, audit_findings)


@dataclass
class Context:
    scopes: dict            # scope.build(): post path -> FileScope
    pre: object             # classify.Verdicts before the patch
    post: object            # classify.Verdicts after the patch
    audit: object           # audit.AuditResult
    converted: list = field(default_factory=list)   # converted.Conversion


def run_all(ctx):
    found = []
    for check in CHECKS:
        found += check.check(ctx)
    return found
