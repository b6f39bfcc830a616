# SPDX-License-Identifier: GPL-2.0-only
"""Sites in the touched functions that the patch left as they were but
the converter would convert: a note with the converter's diff (its
patch mode run on the post-patch file, cut to the hunks at the site)."""

from .. import model, suggest


def post_sites(ctx, fs):
    """The post-patch legacy sites of a scope, split into (existing,
    new): a site on a line the patch adds, unless the patch also removes
    that text (moved or re-indented code), is new."""
    existing, new = [], []
    for site in ctx.post.sites.get(fs.post_path, []):
        if fs.is_added(site["line"]) and not fs.is_moved(site["line"]):
            new.append(site)
        else:
            existing.append(site)
    return existing, new


def suggestion(ctx, fs, site):
    """The converter's changes in the function holding site."""
    func = fs.post_function(site["line"])
    if func is None:
        return ""
    return suggest.within(ctx.post.diffs.get(fs.post_path, ""), fs.post_path,
                          func.start, func.end)


def check(ctx):
    findings = []
    for fs in ctx.scopes.values():
        if not fs.post_path:
            continue
        existing, _new = post_sites(ctx, fs)
        for site in existing:
            if site["action"] != "rewritten" or \
                    fs.post_function(site["line"]) is None:
                continue
            findings.append(model.Finding(
                "convertible-site", fs.post_path, site["line"],
                column=site["column"], function=site["function"],
                message="%s() left unconverted in %s(); kmapconv converts "
                "it (%s: %s)" % (site["api"], site["function"],
                                 site["class"], "; ".join(site["reasons"])),
                suggestion=suggestion(ctx, fs, site)))
    return findings
