# SPDX-License-Identifier: GPL-2.0-only
"""The self-test: seeded defects the harness must report, one run each.

The target is chosen from data, never by name: the first (in file and
function order) converted function that the clean run's workload
entered and that the markers could instrument.  At its top goes a seed:

  lifo       funcedit.SEED, two nested local mappings unmapped in the
             wrong order.  Stock DEBUG_KMAP_LOCAL warns in
             kunmap_local_indexed(); the overlay reports
             "kmap_local: out-of-order unmap".
  cross-cpu  funcedit.SEED_CROSS_CPU, a local address unmapped by another
             CPU.  Harmless on one CPU, so it needs a guest with several;
             the overlay reports "kmap_local: unmap on CPU n ... of an
             address in CPU m's slots"; stock DEBUG_KMAP_LOCAL should
             warn in kunmap_local_indexed() on the other CPU.
"""

import collections
import re

from . import funcedit

Seed = collections.namedtuple("Seed", ["name", "text", "what", "min_cpus"])

SEEDS = (
    Seed("lifo", funcedit.SEED, "an out-of-order unmap", 1),
    Seed("cross-cpu", funcedit.SEED_CROSS_CPU,
         "a local address unmapped by another CPU", 2),
)

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
