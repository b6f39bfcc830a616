# SPDX-License-Identifier: GPL-2.0-only
"""Each legacy site the patch converts, with the converter's class of
the pre-patch site and its reasons.

A site is converted when the hunk that removes its line adds a
local-mapping call (kmap_local_page(), kunmap_local(), memcpy_*_page(),
...): the finding sits on that added line.  A cross-thread site turned
into a local mapping is an error.  A nesting-sensitive one is a
warning when one of its reasons is something no check of the review
covers; otherwise a note, like a thread-local one.
"""

import re
from dataclasses import dataclass

from .. import mapcalls, model

# Reasons of the converter (semantic-patches/kmap_local.cocci) and the
# check that covers each: "deps" is checks/atomic_deps.py (always run),
# "audit" the post-patch LIFO audit (when it ran).
COVERED_BY = (
    ("on the implicit", "deps"),
    ("retry idiom", "deps"),
    ("not in reverse order", "audit"),         # lifo-order
    ("may leave it mapped", "audit"),          # leak
    ("in the loop", "audit"),                  # depth, leak
    ("unmapped in the same function", "audit"),    # escape
    ("spelled differently", "audit"),          # unmap-arg
)


@dataclass
class Conversion:
    scope: object           # FileScope
    site: dict              # the pre-patch site record
    post_line: int          # the added line with the local-mapping call


def _removing_hunk(scope, line):
    for _m, hunk in scope.hunks:
        for i, hl in enumerate(hunk.lines):
            if hl.kind == "-" and hl.old == line:
                return hunk, i
    return None, None


def _maps_locally(text):
    return any(mapcalls.is_local(c) and c != "kunmap_local"
               for c in mapcalls.calls(text))


def _same_but_api(removed, added):
    """Does the added line read like the removed one with the legacy
    call renamed (kmap_atomic(p) -> kmap_local_page(p))?"""
    norm = re.sub(r"\bkmap(_atomic)?\s*\(", "kmap_local_page(", removed)
    return " ".join(norm.split()) == " ".join(added.split())


def _local_line(hunk, index):
    """The final line of the added local-mapping call that replaces the
    legacy map removed at hunk.lines[index], or None: the added line
    that reads the same but for the call, else the one in the same
    position among the hunk's added maps as the removed line among its
    removed ones, else the nearest."""
    removed = [i for i, hl in enumerate(hunk.lines) if hl.kind == "-"
               and set(mapcalls.calls(hl.text)) & mapcalls.LEGACY]
    added = [i for i, hl in enumerate(hunk.lines) if hl.kind == "+"
             and hl.new is not None and _maps_locally(hl.text)]
    if not added:
        return None
    for i in added:
        if _same_but_api(hunk.lines[index].text, hunk.lines[i].text):
            return hunk.lines[i].new
    if index in removed and removed.index(index) < len(added) and \
            len(removed) == len(added):
        return hunk.lines[added[removed.index(index)]].new
    return hunk.lines[min(added, key=lambda i: abs(i - index))].new


def conversions(ctx):
    found = []
    for scope in ctx.scopes.values():
        if not scope.pre_path or not scope.post_path:
            continue
        for site in ctx.pre.sites.get(scope.pre_path, []):
            hunk, index = _removing_hunk(scope, site["line"])
            if hunk is None:
                continue
            post_line = _local_line(hunk, index)
            if post_line is not None:
                found.append(Conversion(scope, site, post_line))
    return found


def _uncovered(reasons, audited):
    left = []
    for reason in reasons:
        by = [c for key, c in COVERED_BY if key in reason]
        if not by or (by[0] == "audit" and not audited):
            left.append(reason)
    return left


def _audited(ctx, path):
    """Did the audit look at path's functions?  Not when it did not run,
    nor (to be safe) when it could not parse part of the file."""
    if ctx.audit.status != model.AUDIT_RAN:
        return False
    return not any(f.get("file") == path and f.get("kind") == "parse-error"
                   for f in ctx.audit.findings)


def describe(site):
    return "%s() at line %d before the patch, in %s()" % (
        site["api"], site["line"], site["function"])


def check(ctx):
    ctx.converted = conversions(ctx)
    findings = []
    for conv in ctx.converted:
        site = conv.site
        reasons = "; ".join(site["reasons"])
        where = dict(file=conv.scope.post_path, line=conv.post_line,
                     function=site["function"])
        if site["class"] == "cross-thread":
            findings.append(model.Finding(
                "cross-thread-converted", message=(
                    "converts the cross-thread %s: %s. A local mapping is "
                    "only valid in this thread until kunmap_local(); keep "
                    "%s() here" % (describe(site), reasons, site["api"])),
                **where))
            continue
        left = _uncovered(site["reasons"],
                          _audited(ctx, conv.scope.post_path)) \
            if site["class"] == "nesting-sensitive" else []
        if left:
            findings.append(model.Finding(
                "nesting-sensitive-converted", message=(
                    "converts the nesting-sensitive %s; no automatic check "
                    "covers: %s. Check this by hand"
                    % (describe(site), "; ".join(left))), **where))
            continue
        findings.append(model.Finding(
            "converted-site", message="converts the %s %s: %s" % (
                site["class"], describe(site), reasons), **where))
    return findings
