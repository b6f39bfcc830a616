# SPDX-License-Identifier: GPL-2.0-only
"""Input that spatch analyses correctly but rewrites badly.

A file with CRLF (DOS) line ends: spatch finds and classifies its sites
on the right lines, but the lines its rewrite adds end in a bare LF,
and a removed declaration leaves its CR behind.  Applying that patch
would give the file mixed line ends and stray blank lines, so its
rewrites are held back: the sites become manual, the suggestion lists
the edits the patch would have made, and the file gets no patch.
"""

import os

CRLF_REASON = ("the file has CRLF (DOS) line ends, which spatch's rewrite "
               "would mix with LF ones; left to a human")


def has_crlf(path):
    try:
        with open(path, "rb") as f:
            return b"\r\n" in f.read()
    except OSError:
        return False


def hold_back_crlf(ksrc, sites, diffs):
    """Turn the rewritten sites of CRLF files into manual ones and drop
    those files' diffs (both in place); return the files affected."""
    files = {s["file"] for s in sites if s["action"] == "rewritten"}
    files |= set(diffs)
    crlf = sorted(f for f in files if has_crlf(os.path.join(ksrc, f)))
    for site in sites:
        if site["file"] in crlf and site["action"] == "rewritten":
            site["action"] = "manual"
            site["reasons"] = list(site["reasons"]) + [CRLF_REASON]
            edits = site.pop("rewrite", None) or []
            site["suggestion"] = (
                "convert by hand, or convert the file to LF line ends and "
                "run again" + (": " + "; ".join(edits) if edits else ""))
    for path in crlf:
        diffs.pop(path, None)
    return crlf
