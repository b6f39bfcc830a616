# SPDX-License-Identifier: GPL-2.0-only
"""Every kind of finding the review reports: its default severity and
the words the renderings use for it (SARIF rules, table, mail).

The audit's kinds are read from the audit's rule catalogue,
analysis/rules.tsv (docs/contracts.md, "The rule catalogue"); the
review's own kinds come from its checks (reports/kmapreview/checks/).
"""

import os
from collections import namedtuple

Rule = namedtuple("Rule", "id level short full")

SEVERITIES = ("error", "warning", "note")

_RULES = (
    Rule("cross-thread-converted", "error",
         "cross-thread mapping converted to a local mapping",
         "The pre-patch kmap() site is cross-thread: its address is used "
         "by another thread or after the function returns. A local "
         "mapping is valid only in the mapping thread until its "
         "kunmap_local(), so this site must stay kmap()."),
    Rule("atomic-dependency-dropped", "error",
         "kmap_atomic() conversion drops a pagefault/preemption dependency",
         "kmap_atomic() disabled pagefaults and preemption; "
         "kmap_local_page() disables neither. Code in the mapped region "
         "that relied on it (an _inatomic copy, smp_processor_id(), "
         "per-CPU accessors) needs an explicit pagefault_disable() or "
         "preempt_disable() after the conversion."),
    Rule("nesting-sensitive-converted", "warning",
         "nesting-sensitive mapping converted: needs a human check",
         "The converter classifies the pre-patch site as "
         "nesting-sensitive for a reason no automatic check of this "
         "review covers (e.g. a map/unmap pair split over helper "
         "functions); check the conversion by hand."),
    Rule("converted-site", "note",
         "legacy mapping converted",
         "A kmap()/kmap_atomic() site the patch converts, with the "
         "converter's classification of the pre-patch site and its "
         "reasons."),
    Rule("convertible-site", "note",
         "legacy mapping left unconverted that kmapconv would convert",
         "A kmap()/kmap_atomic() site in a function the patch touches, "
         "left as it is, that the converter rewrites to "
         "kmap_local_page(); the suggested diff is the converter's."),
    Rule("new-legacy-map", "warning",
         "new kmap()/kmap_atomic() call",
         "The patch adds a kmap() or kmap_atomic() call; new code should "
         "use kmap_local_page() (or kmap_local_folio()) unless the "
         "mapping must be used by another thread."),
    Rule("not-analysed", "warning",
         "file the semantic patch could not analyse",
         "spatch failed on a file whose mapping calls the patch changes, "
         "so its sites could not be classified."),
)

# The audit's kinds and their words come from its rule catalogue,
# analysis/rules.tsv, which kmap-audit embeds too: one source.  The
# review's severity is its own: a defect in a touched function is an
# error; code the audit could not check is a warning (unproven).
CATALOGUE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         os.pardir, os.pardir, "analysis", "rules.tsv")
_UNPROVEN = ("parse-error", "not-audited")


def audit_rules(path=CATALOGUE):
    """The audit's Rules, in catalogue order."""
    out = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            kind, _, short, full = line.rstrip("\n").split("\t")
            out.append(Rule(kind, "warning" if kind in _UNPROVEN else
                            "error", short, full))
    return tuple(out)


_RULES += audit_rules()
RULES = {r.id: r for r in _RULES}
ORDER = [r.id for r in _RULES]
AUDIT_KINDS = tuple(r.id for r in audit_rules())


def rule(kind):
    """The Rule of kind; an unknown kind (a newer audit) is an error-level
    rule named after it."""
    return RULES.get(kind) or Rule(kind, "error", kind.replace("-", " "),
                                   "Reported by the LIFO audit.")
