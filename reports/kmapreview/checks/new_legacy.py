# SPDX-License-Identifier: GPL-2.0-only
"""New kmap()/kmap_atomic() calls the patch adds: a warning with the
suggested replacement (the converter's diff when it would convert the
site, its suggestion when a human must, and why when it must stay).

A call on an added line that spatch did not report (it could not parse
the function) is still flagged, from a text scan of the added lines.
"""

from kmapconv import coverage

from .. import model
from .unconverted import post_sites, suggestion

GENERIC = ("use kmap_local_page() and kunmap_local(<the address>) if the "
           "mapping stays in this thread and is unmapped in reverse order "
           "of mapping")


def _message(site):
    api, fn = site["api"], site["function"]
    why = "; ".join(site["reasons"])
    if site["action"] == "rewritten":
        return ("adds %s() in %s(); use kmap_local_page() instead (%s: %s)"
                % (api, fn, site["class"], why))
    if site["action"] == "manual":
        return ("adds %s() in %s(); a local mapping needs care here (%s: "
                "%s). Suggested: %s" % (api, fn, site["class"], why,
                                        site.get("suggestion") or GENERIC))
    return ("adds %s() in %s(); the mapping is cross-thread (%s), so "
            "kmap_local_page() would be wrong: make sure the address "
            "really must outlive this thread" % (api, fn, why))


def check(ctx):
    findings = []
    for fs in ctx.scopes.values():
        if not fs.post_path or not fs.post_text:
            continue
        _existing, new = post_sites(ctx, fs)
        reported = set()
        for site in new:
            reported.add(site["line"])
            findings.append(model.Finding(
                "new-legacy-map", fs.post_path, site["line"],
                column=site["column"], function=site["function"],
                message=_message(site),
                suggestion=suggestion(ctx, fs, site)
                if site["action"] == "rewritten" else ""))
        scan = coverage.scan_text(fs.post_text)
        for line, call in sorted(scan.calls.items()):
            if line in reported or not fs.is_added(line) or \
                    fs.is_moved(line):
                continue
            func = fs.post_function(line)
            findings.append(model.Finding(
                "new-legacy-map", fs.post_path, line,
                function=func.name if func else "",
                message="adds a kmap()/kmap_atomic() call that the "
                "converter could not analyse (%s); %s"
                % (call.text, GENERIC)))
    return findings
