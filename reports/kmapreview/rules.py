# SPDX-License-Identifier: GPL-2.0-only
"""Every kind of finding the review reports: its default severity and
the words the renderings use for it (SARIF rules, table, mail).

The audit's kinds are those of the audit's rule catalogue
(docs/contracts.md, "The rule catalogue"); the review's own kinds
come from its checks (reports/kmapreview/checks/).
"""

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
    Rule("lifo-order", "error", "local mappings not unmapped in LIFO order",
         "kunmap_local() must undo the most recent live local mapping "
         "first (the mappings are a per-task stack)."),
    Rule("leak", "error", "local mapping not unmapped on some path",
         "A path leaves the function with a local mapping still live."),
    Rule("use-after-unmap", "error", "address used after its unmap",
         "The mapped address is used after kunmap_local()."),
    Rule("double-unmap", "error", "mapping unmapped twice",
         "The same local mapping is unmapped twice on a path."),
    Rule("unmap-unmapped", "error", "unmap of an address that is not mapped",
         "kunmap_local() of an address with no live local mapping."),
    Rule("unmap-arg", "error", "kunmap_local() argument is not the address",
         "kunmap_local() takes the address kmap_local_page() returned "
         "(or a pointer into that page), not the struct page. Found by "
         "the audit, and from the text by the review itself."),
    Rule("depth", "error", "too many nested local mappings",
         "More local mappings live at once than the per-task stack "
         "holds (KM_MAX_IDX)."),
    Rule("escape", "error", "local mapping address escapes",
         "The address of a local mapping is stored where another thread "
         "or a later call can use it."),
    Rule("parse-error", "warning", "the audit could not parse a function",
         "The LIFO audit could not parse code the patch touches, so that "
         "code was not audited."),
)

RULES = {r.id: r for r in _RULES}
ORDER = [r.id for r in _RULES]
AUDIT_KINDS = ("lifo-order", "leak", "use-after-unmap", "double-unmap",
               "unmap-unmapped", "unmap-arg", "depth", "escape",
               "parse-error")


def rule(kind):
    """The Rule of kind; an unknown kind (a newer audit) is an error-level
    rule named after it."""
    return RULES.get(kind) or Rule(kind, "error", kind.replace("-", " "),
                                   "Reported by the LIFO audit.")
