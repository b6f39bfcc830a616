# SPDX-License-Identifier: GPL-2.0-only
"""report.md: what a reviewer reads.

The report holds no date, timing or host-specific state so that two runs
on the same input give byte-identical reports (diffable in reviews).
"""

import os
import re
from collections import defaultdict

from kerneltree import mapapi

from . import auditgate, message, stale
from .sites import ACTIONS, CLASSES

# The kinds of change (message.KINDS) as the report names them; those
# past a rename are what a reviewer should read first.
KIND_LABELS = {
    "lifo": "unmaps swapped into LIFO order",
    "pagefault": "explicit pagefault_disable()",
    "preempt": "explicit preempt_disable()",
    "inlined-unmap": "unmap helper pair inlined",
    "helper": "memcpy/memzero/clear helper",
    "new-address": "page_address() replaced by the mapped address",
    "moved-address": "new variable for the unmap",
    "split-chain": "chained assignment split",
    "unmap-address": "kunmap() given the address",
    "folio": "kmap_local_folio()",
}
PLAIN = ("unmap-address", "folio")


def _code(text):
    """Markdown code span that survives backticks in the text."""
    text = " ".join(text.split())
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return "%s%s%s%s%s" % (fence, pad, text, pad, fence)


# audit.json's paths_judged verdicts, as the report says them.
_VERDICT_WORDS = {
    "proved": "every path unmaps it",
    "refuted": "a path leaves it mapped (see its reasons)",
    "unchecked": "the audit could not check the function",
}


# The reason of a site in a macro's body, which names the macro.
_MACRO_RE = re.compile(r"in the body of the macro (\w+)")


def _where(d):
    """f(), or "the macro m" for a site outside any function (spatch's
    something_else) whose reason names the macro it is in."""
    if d.get("function") == mapapi.NOT_A_FUNCTION:
        m = next((m for m in map(_MACRO_RE.search, d.get("reasons", []))
                  if m), None)
        return "the macro %s" % m.group(1) if m else "file scope"
    return "%s()" % d["function"]


def _site_at(d):
    """A site or function entry (file, line, function) as the report
    names it."""
    return _code("%s:%d %s" % (d["file"], d["line"], _where(d)))


def _listing(items):
    """A bullet list followed by a blank line, or an explicit "none"."""
    return (items or ["none"]) + [""]


def _call_list(entries):
    return _listing(["- %s: %s" % (_code("%s:%d" % (path, cl.line)),
                                   _code(cl.text))
                     for path, cl in entries])


def summary(f):
    counts = f.class_counts()
    actions = dict.fromkeys(ACTIONS, 0)
    for site in f.sites:
        actions[site["action"]] += 1
    return ("%d files scanned, %d candidate files, %d sites (%s; %s); "
            "%d files spatch could not analyse, %d unmatched calls%s"
            % (f.scanned, len(f.candidates), len(f.sites),
               ", ".join("%s %d" % (c, counts[c]) for c in CLASSES),
               ", ".join("%s %d" % (a, actions[a]) for a in ACTIONS),
               len(f.failed), len(f.unmatched), audit_summary(f.audit)))


def audit_summary(audit):
    """The summary's words on the audit ("" when it was not asked)."""
    if audit is None:
        return ""
    if "unavailable" in audit:
        return ("; no audit (%s): sites with paths the semantic patch "
                "could not follow stay manual" % audit["unavailable"])
    held = len(audit["held_back"])
    return ("; audit: kmap-audit proved %d sites the semantic patch could "
            "not, left %d manual, and flagged %d rewritten sites in %d "
            "functions, now manual (%d audit rounds%s)%s"
            % (len(audit["proved"]), len(audit["unproved"]),
               len(audit["demoted"]), audit["functions_demoted"],
               len(audit["rounds"]),
               ", %d files held back" % held if held else "",
               _unchecked_summary(audit.get("unchecked", []))))


def _unchecked_summary(unchecked):
    if not unchecked:
        return ""
    return ("; %d rewritten sites in %d functions it could not check rest "
            "on the semantic patch alone"
            % (len(unchecked), len({(u["file"], u["function"])
                                    for u in unchecked})))


def _site_lines(entries):
    return _listing(["- %s (round %s): %s" % (
        _site_at(d),
        d["round"], " ".join(d["suggestion"].split()))
        for d in entries])


def _audit_section(audit):
    """What kmap-audit, the judge of the rewrite, found."""
    if audit is None:
        return []
    if "unavailable" in audit:
        return ["## Audit of the rewrite", "",
                "kmap-audit could not judge the rewrite: %s. Sites with "
                "paths the semantic patch could not follow stay manual%s."
                % (audit["unavailable"], "" if not audit["withdrawn"] else
                   " (their candidate rewrites were taken back in %s)"
                   % ", ".join(_code(p) for p in audit["withdrawn"])), ""]
    lines = ["## Audit of the rewrite", "",
             "kmap-audit audited every rewritten .c file (headers are not "
             "audited on their own). It judged the sites whose paths the "
             "semantic patch could not follow, and any new finding "
             "demotes a rewritten function. Findings the files had before "
             "the rewrite do not count against the sites the semantic "
             "patch proved, except a use of a rewritten site's own address "
             "after its unmap: the rewrite would carry it into the lines it "
             "changes, and that site stays manual. Line numbers are those "
             "of the rewritten file. Details: `audit.json`.", ""]
    for rnd in audit["rounds"]:
        # A refused candidate was never in the patch: not a demotion.
        scopes = [d.get("scope") for d in rnd["denied"]]
        whole = scopes.count(auditgate.WHOLE)
        carried = scopes.count(auditgate.SITES)
        lines.append("- round %d: %d files audited (rewritten, or holding a "
                     "candidate rewrite), %d new findings, %d rewritten "
                     "functions demoted, %d candidate rewrites refused%s" % (
                         rnd["round"], len(rnd["audited"]), len(rnd["new"]),
                         whole, len(rnd["denied"]) - whole - carried,
                         ", %d functions with sites left manual for a bug "
                         "the code has" % carried if carried else ""))
    lines += ["", "### Sites the audit proved (%d)" % len(audit["proved"]),
              "", "The semantic patch could not follow these paths; "
              "kmap-audit followed every path of the rewritten function.",
              ""]
    lines += _listing(["- %s: %s" % (
        _site_at(d),
        " ".join("; ".join(d["paths"]).split()))
        for d in audit["proved"]])
    lines += ["### Sites the audit did not prove (%d)"
              % len(audit["unproved"]), ""]
    lines += _site_lines(audit["unproved"])
    lines += ["### Sites demoted to manual (%d)" % len(audit["demoted"]),
              ""]
    lines += _site_lines(audit["demoted"])
    judged = audit.get("paths_judged", [])
    lines += ["### Paths of manual sites the audit judged (%d)"
              % len(judged), "",
              "These kmap_atomic() sites stay manual for other reasons; "
              "the semantic patch could not follow some of their paths, "
              "and kmap-audit followed them in the code as it is. Their "
              "reasons give its word.", ""]
    lines += _listing(["- %s: %s" % (
        _site_at(j),
        _VERDICT_WORDS.get(j["verdict"], j["verdict"])) for j in judged])
    unchecked = audit.get("unchecked", [])
    lines += ["### Rewritten sites the audit could not check (%d)"
              % len(unchecked), "",
              "Their functions are compiled out under the audit's "
              "configurations, or do not build for them, with and without "
              "the rewrite. The semantic patch's own reasoning is all that "
              "stands behind these rewrites: read them, or build the file "
              "where it is compiled.", ""]
    lines += _listing(["- %s: %s" % (
        _site_at(u),
        " ".join(u["note"].split())) for u in unchecked])
    lines += ["### Files held back whole", ""]
    lines += _listing(["- %s: %s" % (_code(h["file"]),
                                     " ".join(h["reason"].split()))
                       for h in audit["held_back"]])
    lines += ["### Findings the rewritten files had before the rewrite",
              ""]
    lines += _listing(["- %s: %s [%s]" % (
        _code("%s:%s %s()" % (p["file"], p.get("line", 0),
                              p.get("function", ""))),
        " ".join(p.get("message", "").split()), p["kind"])
        for p in audit["pre_existing"]])
    lines += ["### Rewritten files with compile errors", "",
              "Functions containing a compile error are not audited, so "
              "some rewrites in these files may be unchecked.", ""]
    lines += _listing(["- %s: %d rewritten sites; %s" % (
        _code(p["file"]), p["rewritten_sites"],
        " ".join(p["parse_error"].split()))
        for p in audit["partly_audited"]])
    lines += ["### Files kmap-audit could not audit", ""]
    lines += _listing(["- %s: %s" % (_code(n["file"]), n["reason"])
                       for n in audit["not_audited"]])
    return lines


def _stale_section(found):
    """Comments near the rewrite that may no longer be true."""
    lines = ["## Comments near the rewrite that may be stale", "",
             "In comment blocks within %d lines of a changed line (in its "
             "function), or above the function holding one, these lines "
             "name the old mapping calls or what kmap_atomic() implied "
             "(atomic context, no sleeping, preemption or page faults "
             "off). The patch does not rewrite comments (one at the end "
             "of a changed line stays on it): read each against the "
             "converted code." % stale.NEAR, ""]
    return lines + _listing(["- %s: %s" % (_code("%s:%d" % (path, line)),
                                           _code(text))
                             for path, line, text in found])


def _rewritten_section(f):
    """Rewritten sites per function with the kind of change, the ones
    that are more than a rename first."""
    by_fn = {}
    for s in f.sites:
        if s["action"] == "rewritten":
            by_fn.setdefault((s["file"], s["function"]), []).append(s)
    rows = []
    for (path, fn), sites in by_fn.items():
        kinds = set().union(*(message.kinds(s) for s in sites))
        labels = [KIND_LABELS[k] for k in KIND_LABELS if k in kinds]
        plain = not kinds - set(PLAIN)
        rows.append((plain, path, min(s["line"] for s in sites), fn,
                     len(sites), ", ".join(labels) or "rename"))
    rows.sort()
    lines = ["## Rewritten functions (%d)" % len(rows), "",
             "More than a rename first: read those before the rest.", ""]
    if not rows:
        return lines + ["none", ""]
    lines += ["| function | file | sites | change |",
              "| --- | --- | ---: | --- |"]
    lines += ["| %s | %s | %d | %s |" % (_code(fn + "()"), _code(path), n,
                                         change)
              for _plain, path, _line, fn, n, change in rows]
    return lines + [""]


def _testing_section(tested):
    if not tested:
        return []
    return ["## Testing", ""] + [" ".join(p.split()) for p in tested] + [""]


def _manual_section(f):
    """What a human has to do, site by site."""
    sites = [s for s in f.sites if s["action"] == "manual"]
    lines = ["## Sites to convert by hand (%d)" % len(sites), ""]
    for s in sites:
        lines.append("- %s: %s" % (
            _site_at(s),
            " ".join(s.get("suggestion", "review by hand").split())))
    if not sites:
        lines.append("none")
    return lines + [""]


def _table(f):
    per_dir = defaultdict(lambda: dict.fromkeys(CLASSES, 0))
    for site in f.sites:
        per_dir[os.path.dirname(site["file"]) or "."][site["class"]] += 1
    lines = ["| directory | " + " | ".join(CLASSES) + " | total |",
             "| --- |" + " ---: |" * (len(CLASSES) + 1)]
    for directory in sorted(per_dir):
        row = per_dir[directory]
        lines.append("| %s | %s | %d |" % (
            directory, " | ".join(str(row[c]) for c in CLASSES),
            sum(row.values())))
    counts = f.class_counts()
    lines.append("| **total** | %s | **%d** |" % (
        " | ".join(str(counts[c]) for c in CLASSES), len(f.sites)))
    return lines + [""]


def _class_section(f, cls):
    sites = [s for s in f.sites if s["class"] == cls]
    lines = ["## %s sites (%d)" % (cls, len(sites)), ""]
    for s in sites:
        lines.append("- %s (%s)" % (
            _code("%s:%d %s %s" % (s["file"], s["line"], _where(s),
                                   s["api"])), s["action"]))
        for reason in s["reasons"]:
            lines.append("  - %s" % " ".join(reason.split()))
    if not sites:
        lines.append("none")
    return lines + [""]


def render(f, tested=()):
    """report.md of findings f; tested: the paragraphs on what ran on
    this patch (series.testing())."""
    title = "# kmapconv %s report: %s in %s" % (
        f.version, "whole tree" if f.subsys == "." else f.subsys,
        f.ksrc_label)
    lines = [title, "",
             "- Kernel tree: %s%s" % (
                 f.ksrc_label,
                 " (Linux %s)" % f.kernel_version if f.kernel_version
                 else ""),
             "- Subsystem: %s" % f.subsys,
             "- Semantic patch: %s (sha256 %s, with its module)" % (
                 f.cocci_label, f.cocci_sha256[:16]),
             "- Tool: kmapconv %s" % f.version,
             "",
             "## Summary", "",
             summary(f) + ".", "",
             "## Sites per directory", ""]
    lines += _table(f)
    lines += _testing_section(tested)
    lines += _rewritten_section(f)
    lines += _manual_section(f)
    lines += _audit_section(f.audit)
    lines += _stale_section(f.stale_comments)
    for cls in CLASSES[1:]:
        lines += _class_section(f, cls)

    lines += ["## Sites spatch could not analyse", ""]
    if not f.failed and not f.unmatched:
        lines += ["none", ""]
    else:
        failed = []
        for path in sorted(f.failed):
            failed.append("- %s: %s" % (_code(path), f.failed[path]))
            for cl in f.failed_calls.get(path, []):
                failed.append("  - %s: %s" % (_code("line %d" % cl.line),
                                              _code(cl.text)))
        lines += ["### Files spatch failed on", ""] + _listing(failed)
        lines += ["### Calls spatch did not report", "",
                  "(Usually a function spatch could not parse.)", ""]
        lines += _call_list(f.unmatched)

    lines += ["## Calls in macro definitions", "",
              "spatch does not analyse macro bodies; convert these by hand.",
              ""]
    lines += _call_list(f.in_macros)
    lines += ["## Calls in #if 0 blocks", "",
              "Not compiled and not analysed by spatch.", ""]
    lines += _call_list(f.in_if0)
    lines += ["## Unreadable files (skipped)", ""]
    lines += _listing(["- %s: %s" % (_code(p), m) for p, m in f.unreadable])
    return "\n".join(lines).rstrip("\n") + "\n"
