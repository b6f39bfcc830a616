# SPDX-License-Identifier: GPL-2.0-only
"""Files spatch failed on: their sites could not be classified, which
the review must say rather than pass over."""

from .. import model


def _first_change(fs):
    """The first added line of the scope's hunks (1 if none survives)."""
    for _m, hunk in fs.hunks:
        for hl in hunk.lines:
            if hl.kind == "+" and hl.new:
                return hl.new
    return 1


def check(ctx):
    findings = []
    for fs in ctx.scopes.values():
        for when, verdicts, path in (("before", ctx.pre, fs.pre_path),
                                     ("after", ctx.post, fs.post_path)):
            reason = verdicts.failed.get(path) if path else None
            if not reason or not fs.post_path:
                continue
            findings.append(model.Finding(
                "not-analysed", fs.post_path, _first_change(fs),
                message="spatch could not analyse %s as it is %s the patch "
                "(%s): its mapping sites there are not classified"
                % (path, when, reason)))
    return findings
