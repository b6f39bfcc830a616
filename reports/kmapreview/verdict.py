# SPDX-License-Identifier: GPL-2.0-only
"""The words all three renderings share: counts, the summary line, the
audit's status and the closing verdict."""

from . import model, rules


def plural(n, word):
    return "%d %s%s" % (n, word, "" if n == 1 else "s")


def counts(review):
    return ", ".join(plural(review.count(s), s)
                     for s in ("error", "warning", "note"))


def audit_text(review):
    status, detail = review.audit.get("status"), review.audit.get("detail")
    if status == model.AUDIT_RAN:
        return "LIFO audit: ran%s" % (" (%s)" % detail if detail else "")
    if status == model.AUDIT_FAILED:
        return "LIFO audit: failed (%s)" % detail
    return "LIFO audit: not available (%s)" % detail


def scope_text(review):
    s = review.stats
    return ("%s of %s change mappings, in %s of %s; %s converted"
            % (s.get("relevant_hunks", 0), plural(s.get("hunks", 0), "hunk"),
               plural(s.get("functions", 0), "function"),
               plural(s.get("files", 0), "file"),
               plural(s.get("converted", 0), "legacy site")))


def summary_line(review):
    return "kmap review of %s: %s; %s; %s" % (
        review.source, counts(review), scope_text(review), audit_text(review))


def audit_ran(review):
    return review.audit.get("status") == model.AUDIT_RAN


def closing(review):
    """The verdict as a list of paragraphs (plain text); a paragraph
    starting with "- " is an item of a list."""
    if review.has_errors:
        return ["Not ready: %s must be fixed (see the comments above):"
                % plural(review.count("error"), "error")] + [
            "- %s:%d%s: %s" % (f.file, f.line, ", %s()" % f.function
                               if f.function else "", rules.rule(f.kind).short)
            for f in review.findings if f.severity == "error"]
    if not audit_ran(review):
        what = ("failed" if review.audit.get("status") == model.AUDIT_FAILED
                else "was not available")
        return ["No error found, but the LIFO audit %s (%s), so unmap "
                "order, leaks and kunmap_local() arguments were not "
                "checked. Check those by hand before giving a Reviewed-by."
                % (what, review.audit.get("detail"))]
    unparsed = sum(f.kind == "parse-error" for f in review.findings)
    if unparsed:
        return ["No error found, but the LIFO audit could not parse the "
                "code at %s (see the warnings): the functions holding a "
                "parse error were not audited. Check those by hand before "
                "giving a Reviewed-by." % plural(unparsed, "place")]
    extra = (" The %s above are suggestions, not blockers."
             % ("warnings and notes" if review.count("warning")
                else "notes") if review.count("warning")
             or review.count("note") else "")
    out = ["No mapping problem found: the converted sites are safe and the "
           "touched functions pass the LIFO audit.%s" % extra]
    out.append("Reviewed-by: %s" % review.reviewer if review.reviewer
               else "Ready for a Reviewed-by tag.")
    return out
