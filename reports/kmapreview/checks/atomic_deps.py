# SPDX-License-Identifier: GPL-2.0-only
"""kmap_atomic() conversions that drop a pagefault/preemption dependency.

The converter already finds the calls in a kmap_atomic() region that
need pagefaults or preemption off (_inatomic copies, smp_processor_id(),
per-CPU accessors, ...) and names each in a reason of the pre-patch site
("relies on the implicit pagefault_disable() of kmap_atomic(): X() at
line N").  After the conversion, each such call that is still in the
function must sit inside an explicit region of the same kind; if not,
that line is an error.  A call the patch removed (say, the _inatomic
copy replaced by a faulting one) no longer depends on anything.
"""

from kerneltree.mapapi import DEPENDENCY_REASON_RE

from .. import model, scope as scopes


# What opens and closes an explicit region of each kind.  Disabling
# interrupts or taking an irq-safe lock also keeps the task on its CPU.
GUARDS = {
    "pagefault": (("pagefault_disable",), ("pagefault_enable",)),
    "preempt": (
        ("preempt_disable", "preempt_disable_notrace", "get_cpu",
         "local_irq_disable", "local_irq_save", "spin_lock_irq",
         "spin_lock_irqsave", "raw_spin_lock_irq", "raw_spin_lock_irqsave"),
        ("preempt_enable", "preempt_enable_notrace", "put_cpu",
         "local_irq_enable", "local_irq_restore", "spin_unlock_irq",
         "spin_unlock_irqrestore", "raw_spin_unlock_irq",
         "raw_spin_unlock_irqrestore")),
}
# Accessors that disable preemption themselves: nothing to replace.
SELF_GUARDED = frozenset(("get_cpu_ptr", "get_cpu_var"))


def _guarded(lines, func, line, kind):
    """Is line of the function inside an open explicit region?"""
    opens, closes = GUARDS[kind]
    body = "\n".join(lines[func.start - 1:line - 1])
    depth = len(scopes.text_calls(body, opens)) - \
        len(scopes.text_calls(body, closes))
    return depth > 0


def check(ctx):
    findings = []
    for conv in ctx.converted:
        site = conv.site
        if site["api"] != "kmap_atomic":
            continue
        fs = conv.scope
        func = fs.post_function_named(site["function"])
        if func is None:
            continue
        lines = fs.post_lines()
        seen = set()
        for reason in site["reasons"]:
            m = DEPENDENCY_REASON_RE.search(reason)
            if not m:
                continue
            kind, callee = m.group(1), m.group(2)
            if callee in SELF_GUARDED:
                continue
            body = "\n".join(lines[func.start - 1:func.end])
            calls = [func.start - 1 + n
                     for n in scopes.text_calls(body, [callee])]
            for line in calls:
                if (line, kind) in seen or _guarded(lines, func, line, kind):
                    continue
                seen.add((line, kind))
                findings.append(model.Finding(
                    "atomic-dependency-dropped", fs.post_path, line,
                    function=site["function"], message=(
                        "%s() relied on the implicit %s_disable() of the "
                        "kmap_atomic() at line %d before the patch; "
                        "kmap_local_page() does not disable %s: wrap it "
                        "in %s_disable()/%s_enable()%s"
                        % (callee, kind, site["line"],
                           "pagefaults" if kind == "pagefault"
                           else "preemption", kind, kind,
                           " or use the faulting copy"
                           if "inatomic" in callee else ""))))
    return findings
