# SPDX-License-Identifier: GPL-2.0-only
"""Insert a line at the top of a function's body in a kernel .c file.

Used for two things, both chosen from the converter's sites.jsonl and
never from a list of names:
  - entry markers: every converted function prints once
    "kmap_vm: entered <function>", so a run can say which converted
    functions the workload reached;
  - the self-test's seeded defects, at the top of one converted function
    the clean run reached: two nested local mappings unmapped in the
    wrong order; and a local address handed to another CPU, which
    unmaps it (wrong only where there is another CPU).

Both are inserted as a declaration with an initializer, before the
function's own declarations, so no "declaration after statement" arises
and the rest of the body is untouched.
"""

from kerneltree import csource

MARKER_PREFIX = "kmap_vm: entered "

# printk_once() is an expression; KERN_INFO so it is not a warning.
MARKER = ("\tbool __kmap_vm_entered __maybe_unused = printk_once("
          "KERN_INFO \"" + MARKER_PREFIX + "%s\\n\", __func__);\n")

# Map the zero page twice and unmap the outer mapping first: local
# mappings are a stack, so the first kunmap_local() pops the wrong slot.
SEED = ("\tint __kmap_vm_seed __maybe_unused = ({ "
        "void *__kmap_vm_a = kmap_local_page(ZERO_PAGE(0)); "
        "void *__kmap_vm_b = kmap_local_page(ZERO_PAGE(0)); "
        "kunmap_local(__kmap_vm_a); kunmap_local(__kmap_vm_b); 0; });\n")

# A conversion that hands the local address to code on another CPU (as a
# kmap() whose kunmap() ran in a completion elsewhere would): the mapping
# is made here and unmapped by an IPI on another online CPU.  A slot
# address belongs to the CPU that mapped it, and the mapping stays on
# this task's stack.  With one CPU the call runs here, in this task, and
# is correct, so only a run on several CPUs can catch it.  Once per boot,
# and only where a cross-call may wait (interrupts on, task context).
SEED_CROSS_CPU = (
    "\tint __kmap_vm_seed __maybe_unused = ({ "
    "static atomic_t __kmap_vm_once; "
    "if (!irqs_disabled() && !in_interrupt() && "
    "atomic_inc_return(&__kmap_vm_once) == 1) { "
    "void *__kmap_vm_a = kmap_local_page(ZERO_PAGE(0)); "
    "unsigned int __kmap_vm_cpu = cpumask_any_but(cpu_online_mask, "
    "raw_smp_processor_id()); "
    "smp_call_function_single(__kmap_vm_cpu < nr_cpu_ids ? __kmap_vm_cpu "
    ": raw_smp_processor_id(), (smp_call_func_t)kunmap_local_indexed, "
    "__kmap_vm_a, 1); } 0; });\n")


def body_start(text, function):
    """Offset just after the line of the '{' that opens function's
    definition, or None."""
    for f in csource.functions(text):
        if f.name == function:
            nl = text.find("\n", f.body_open)
            return len(text) if nl < 0 else nl + 1
    return None


def insert_at_top(path, function, line):
    """Insert line at the top of function's body in the file path;
    False if the definition is not found there."""
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        text = f.read()
    at = body_start(text, function)
    if at is None:
        return False
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text[:at] + line + text[at:])
    return True
