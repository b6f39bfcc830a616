# SPDX-License-Identifier: GPL-2.0-only
"""The self-test: a seeded defect the harness must report.

The target is chosen from data, never by name: the first (in file and
function order) converted function that the clean run's workload
entered and that the markers could instrument.  At its top goes
funcedit.SEED, two nested local mappings unmapped in the wrong order.
Stock DEBUG_KMAP_LOCAL warns on that in kunmap_local_indexed(); the
overlay's tracking reports "kmap_local: out-of-order unmap".
"""

import re

_EVIDENCE = re.compile(r"kunmap_local|kmap_local|highmem")


def choose_target(clean):
    """(file, function) to seed, or None if the workload reached none."""
    reached = set(clean.log.reached)
    for path, function in sorted(clean.instrumented):
        if function in reached:
            return path, function
    return None


def detected(seeded):
    """The findings of the seeded run that point at a local-mapping
    check (a warning, BUG or overlay report mentioning it)."""
    hits = []
    for finding in seeded.problems:
        if finding.kind not in ("warning", "bug", "oops", "kmap_local"):
            continue
        text = "\n".join([finding.line] + list(finding.context))
        if _EVIDENCE.search(text):
            hits.append(finding)
    return hits
