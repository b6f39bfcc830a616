# SPDX-License-Identifier: GPL-2.0-only
"""Whether a copy stays within one page.

memcpy_{from,to}_page(), memcpy_page() and memzero_page() stay within
one page (VM_BUG_ON(offset + len > PAGE_SIZE)); kmap() of a compound page
maps all of it on !HIGHMEM, so a copy through the address may be longer.
A helper replaces a copy only when the code itself bounds offset + length
by PAGE_SIZE, and the rewrite cites that bound.
"""

import re

from .cargs import split_top
from .ctext import close_paren, squash, strip_c, ternary, unparen

MIN_RE = re.compile(r"^(min|min_t|umin|min3|min_not_zero)\(")


def bounded(e, off):
    """e (normalised) is at most PAGE_SIZE - off on its own."""
    e = unparen(e)
    o = unparen(off)
    if e == "PAGE_SIZE" and o == "0":
        return True
    if e in ("PAGE_SIZE-%s" % o, "PAGE_SIZE-(%s)" % o):
        return True
    m = MIN_RE.match(e)
    if m and close_paren(e, m.end() - 1) == len(e) - 1:
        args = split_top(e[m.end():-1])
        if m.group(1) == "min_t":
            args = args[1:]
        # min_not_zero(a, b) is one of them too, whichever is smaller.
        return any(bounded(a, off) for a in args)
    t = ternary(e)
    if t:
        c, a, b = t
        if bounded(a, off) and bounded(b, off):
            return True
        m = re.match(r"^(.+?)(<=|>=|<|>)(.+)$", unparen(c))
        if m:
            x, op, y = unparen(m.group(1)), m.group(2), unparen(m.group(3))
            a, b = unparen(a), unparen(b)
            smaller = (a == x and b == y) if op in ("<", "<=") else \
                (a == y and b == x)
            if smaller and (bounded(a, off) or bounded(b, off)):
                return True
    return False


def statements(text):
    """The statements of text (C, comments removed) before its end, each
    as (text, heads): heads are the openings ("if(...)", "for(...)") of
    the blocks around it; a statement whose block closed before the end
    did not run on every path to it.  Also the heads open at the end."""
    out, stack, cur = [], [], ""
    parens = 0
    blocks = 0
    for ch in text:
        if ch == "(":
            parens += 1
        elif ch == ")":
            parens -= 1
        if parens > 0:
            cur += ch
        elif ch == "{":
            blocks += 1
            stack.append((blocks, squash(cur)))
            cur = ""
        elif ch == "}":
            if squash(cur):
                out.append((squash(cur), tuple(stack)))
            if stack:
                stack.pop()
            cur = ""
            out.append(("}", tuple(stack)))
        elif ch == ";":
            out.append((squash(cur), tuple(stack)))
            cur = ""
        else:
            cur += ch
    if squash(cur):
        out.append((squash(cur), tuple(stack)))
    return out, tuple(stack)


def assigns(stmt, name):
    """stmt may change the variable name."""
    n = re.escape(name)
    return re.search(r"(?<![\w.>])%s(=(?!=)|[-+*/%%&|^]=|<<=|>>=|\+\+|--)|"
                     r"(\+\+|--|&)%s(?!\w)" % (n, n), stmt) is not None


def copy_bound(text, after, off, length):
    """Why off + length <= PAGE_SIZE holds where text (the function up to
    the copy) ends, as a short citation, or None when the code does not
    show it."""
    o, l = squash(off), squash(length)
    if bounded(l, o):
        return "the length %s is at most PAGE_SIZE - %s" % (l, o) \
            if o != "0" else "the length %s is at most PAGE_SIZE" % l
    if not re.match(r"^[A-Za-z_]\w*$", l):
        return None
    watched = set(re.findall(r"(?<![\w.>])[A-Za-z_]\w*", o)) - \
        set(["PAGE_SIZE", "PAGE_MASK", "PAGE_SHIFT"])
    stmts, here = statements(text)
    for (st, heads) in reversed(stmts):
        if st == "}" or not st:
            continue
        if re.match(r"^\w+:", st) or st.startswith(("case", "default")):
            return None     # reached by a jump too
        live = heads == here[:len(heads)]
        head = heads[-1][1] if heads else ""
        # the clause heading a braceless statement: if (c) v = e
        m = re.match(r"^(if|else if|else)(\((.*)\))?(.*)$", st)
        cond = None
        body = st
        if m and (m.group(1) == "else" or m.group(2)):
            cond = m.group(3) if m.group(2) else "else"
            body = m.group(4)
            live = False
        elif not live and heads:
            hm = re.match(r"^(?:else )?if\((.*)\)$", head)
            cond = hm.group(1) if hm else None
        if any(assigns(body, w) for w in watched):
            return None
        if re.match(r"^(for|while|do|switch)\b", st):
            if assigns(st, l):
                return None
            continue
        if not assigns(body, l):
            continue
        a = re.match(r"^(?:[\w\s*]+?)?\b%s=(?!=)(.+)$" % re.escape(l), body)
        if not a or re.search(r"(?<![\w.>])%s(\+\+|--)" % re.escape(l),
                              body):
            return None
        e = a.group(1)
        if live:
            return loop_safe(here, heads, after, l, watched,
                             "%s = %s" % (l, e)) if bounded(e, o) \
                else None
        # v = e on some paths only: a clamp "if (v > e) v = e" bounds v
        # whatever it was; anything else must be bounded itself and the
        # other paths are judged by what comes before.
        if cond and re.match(r"^%s>=?%s$" % (re.escape(l), re.escape(e)),
                             unparen(cond)):
            if bounded(e, o):
                return loop_safe(here, heads, after, l, watched,
                                 "if (%s) %s = %s" % (cond, l, e))
            continue
        if not bounded(e, o):
            return None
    return None


LOOP_HEAD = re.compile(r"^(?!(if|else|switch)\b)")


def loop_safe(here, heads, after, l, watched, why):
    """why, unless a loop around the copy but not around the statement
    that bounds the length changes the length or the offset after the
    copy (on the next pass the bound no longer holds)."""
    inner = here[len(heads):]
    loops = [i for i, (_n, h) in enumerate(inner) if LOOP_HEAD.match(h)
             and len(heads) + i > 0]
    if not loops:
        return why
    for (_n, h) in inner[loops[0]:]:
        if assigns(h, l) or any(assigns(h, w) for w in watched):
            return None
    level = len(heads) + loops[0]
    depth = len(here)
    text = ""
    for ch in after:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth <= level:
                break
        text += ch
    for st in re.split(r"[;{}]", squash(text)):
        if assigns(st, l) or any(assigns(st, w) for w in watched):
            return None
    return why


def function_parts(group, s, line):
    """The function of site s before line and from line on, without
    comments and string literals (their braces and semicolons are not
    code)."""
    start, end = group.function_span(s)
    lines = group.src.of(s.file)
    cut = max(start, line - 1)
    return (strip_c("\n".join(lines[start:cut])),
            strip_c("\n".join(lines[cut:end + 1])))


def page_bound(group, s, fact):
    """Why the copy of a CopyBound stays in one page, or None; every
    offset must be bounded."""
    before, after = function_parts(group, s, fact.line)
    why = []
    for off in fact.offsets:
        if off is None:
            return None
        w = copy_bound(before, after, off, fact.length)
        if not w:
            return None
        why.append(w)
    return why[0]
