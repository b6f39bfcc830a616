# SPDX-License-Identifier: GPL-2.0-only
"""Insert a line at the top of a function's body in a kernel .c file.

Used for two things, both chosen from the converter's sites.jsonl and
never from a list of names:
  - entry markers: every converted function prints once
    "kmap_vm: entered <function>", so a run can say which converted
    functions the workload reached;
  - the self-test's seeded defect: two nested local mappings unmapped in
    the wrong order, at the top of one converted function the clean run
    reached.

Both are inserted as a declaration with an initializer, before the
function's own declarations, so no "declaration after statement" arises
and the rest of the body is untouched.
"""

import re

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


def _skip_space_and_comments(text, i):
    while i < len(text):
        if text[i].isspace():
            i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = len(text) if end < 0 else end + 2
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = len(text) if end < 0 else end + 1
        else:
            return i
    return i


def _matching_paren(text, i):
    """Index after the ')' that closes the '(' at i, or -1."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == "(":
            depth += 1
        elif text[j] == ")":
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


def body_start(text, function):
    """Offset just after the '{' line that opens function's definition,
    or None.  Kernel style: the definition starts at column 0 (return
    type or name) and the body's '{' follows the parameter list."""
    pattern = re.compile(r"^[A-Za-z_][^;{}()\n]*?\b%s\s*\(|^%s\s*\("
                         % (re.escape(function), re.escape(function)), re.M)
    for m in pattern.finditer(text):
        end = _matching_paren(text, m.end() - 1)
        if end < 0:
            continue
        j = _skip_space_and_comments(text, end)
        # attributes such as __acquires(x) between ')' and '{'
        while j < len(text) and (text[j].isalnum() or text[j] == "_"):
            k = j
            while k < len(text) and (text[k].isalnum() or text[k] == "_"):
                k += 1
            k = _skip_space_and_comments(text, k)
            if k < len(text) and text[k] == "(":
                k = _matching_paren(text, k)
                if k < 0:
                    break
            j = _skip_space_and_comments(text, k)
        if j < len(text) and text[j] == "{":
            nl = text.find("\n", j)
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
