# SPDX-License-Identifier: GPL-2.0-only
"""Splitting C text at the separators outside parentheses (a call's
arguments, a function's parameters), and finding a parenthesis' match.

Self-contained: the toolkit loads it on its own (kerneltree.coccimodule).
"""

import re

# An attribute or annotation: __must_hold(&c->lock), __maybe_unused,
# __attribute__((noinline)).
ATTRIBUTE = r"__\w+(?:\s*\((?:[^()]|\([^()]*\))*\))?"


def close_paren(t, i):
    """The index of the ")" that closes the "(" at index i of t, or
    len(t) when none does."""
    depth = 0
    for j in range(i, len(t)):
        if t[j] == "(":
            depth += 1
        elif t[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return len(t)


def split_top(t, sep=","):
    """t split at the separators outside parentheses."""
    parts, depth, cur = [], 0, ""
    for ch in t:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    return parts + [cur]


def parameter_name(decl):
    """The name a parameter declaration declares ("" for none): the last
    word but for attributes, or the one in a function pointer's
    (*name)."""
    m = re.search(r"\(\s*\*\s*([A-Za-z_]\w*)\s*\)", decl)
    if m:
        return m.group(1)
    decl = re.sub(ATTRIBUTE, " ", decl)
    words = re.findall(r"[A-Za-z_]\w*", re.sub(r"\[[^\]]*\]", "", decl))
    if not words or words[-1] in ("void", "int", "char", "long", "short",
                                  "unsigned", "signed", "float", "double"):
        return ""
    return words[-1] if len(words) > 1 or "*" in decl else ""


# The kernel's indirect-call wrappers (linux/indirect_call_wrapper.h):
# INDIRECT_CALL_<n>(f, f<n>, ..., f1, args...) calls the function pointer
# f, comparing it with n likely targets first; the INET forms name two
# and one.  The wrapper hides that the call goes through a pointer.
INDIRECT_CALL_RE = re.compile(r"^INDIRECT_CALL_(\d+|INET|INET_1)$")
INDIRECT_CALL_TARGETS = {"INET": 2, "INET_1": 1}


def indirect_call(callee, args):
    """(pointer, its arguments) of a call of an indirect-call wrapper,
    or None for any other call."""
    m = INDIRECT_CALL_RE.match(callee.strip())
    if not m:
        return None
    parts = split_top(args)
    n = INDIRECT_CALL_TARGETS.get(m.group(1)) or int(m.group(1))
    if len(parts) < n + 1:
        return None
    return parts[0].strip(), ",".join(parts[n + 1:]).strip()
