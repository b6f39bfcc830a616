# SPDX-License-Identifier: GPL-2.0-only
"""Splitting C text at the separators outside parentheses: a call's
arguments, a function's parameters.

Self-contained: the toolkit loads it on its own (kerneltree.coccimodule).
"""


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
