# SPDX-License-Identifier: GPL-2.0-only
"""OUT/series/: the combined patch as a git format-patch style series.

A tree-wide conversion is merged through the trees of the subsystems it
touches, so the series has one patch per MAINTAINERS entry that takes
its files (maintainers.Answers.sections_of(): the most specific entry
get_maintainer.pl --sections names; a file only the catch-all matches
goes with its directory's entry), split again, a file at a time, where
a patch would change more than MAX_LINES lines.  Without a working
scripts/get_maintainer.pl the files are grouped by directory_of().

Each patch is addressed To: the entry's mailing lists and Cc: its
people (get_maintainer.pl on the patch, and the entry's own lines); the
cover letter to all of them.  Its subject prefix is the one recent
commits touching the same files used most, when KSRC is a git tree
(prefix.py), otherwise the documented fallback from the path.  Its
message is prose (message.py).

Every file is in exactly one patch, so each patch applies to the
original tree on its own and the series applies in order (apply.py and
git am rely on that).
"""

import email.utils
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timezone

from kerneltree import diff

from . import __version__, maintainers, message, narrow, prefix, run
from .errors import KmapconvError
from .prefix import directory_of  # noqa: F401 (the dashboard's too)
from .sites import APIS

DIRNAME = "series"
COVER = "0000-cover-letter.patch"
# git format-patch's marker line: not a real commit, a fixed date.
ZERO_FROM = ("From 0000000000000000000000000000000000000000 "
             "Mon Sep 17 00:00:00 2001")
DEFAULT_AUTHOR = "kmapconv <kmapconv@localhost>"
AUTHOR_ENV = "KMAPCONV_FROM"
WRAP = message.WRAP
REWRITTEN = "rewritten"      # the action of a site the patch converts
# A patch changing more lines than this is split, a file at a time: a
# reviewer reads a few hundred lines in one sitting.
MAX_LINES = 400

_AUTHOR_RE = re.compile(r"^[^<>\n]+ <[^<>@\s]+@[^<>\s]+>$")
_CALL_RE = {api: re.compile(r"\b%s\s*\(" % api) for api in APIS}


@dataclass
class Group:
    """The files of one patch: one MAINTAINERS entry's (or part of it)."""
    entry: str                                     # "" without MAINTAINERS
    files: list = field(default_factory=list)      # kerneltree.diff.FileDiff
    sites: list = field(default_factory=list)      # rewritten sites
    others: list = field(default_factory=list)     # the files' other sites
    lists: list = field(default_factory=list)      # To:
    people: list = field(default_factory=list)     # Cc:
    prefix: str = ""
    status: str = ""                               # the entry's S: line

    @property
    def obsolete(self):
        """MAINTAINERS marks the entry obsolete: checkpatch.pl asks for
        no unnecessary modifications, so the series leaves it out."""
        return self.status.lower().startswith("obsolete")

    @property
    def paths(self):
        return [d.path for d in self.files]

    @property
    def changed(self):
        return sum(d.added + d.deleted for d in self.files)


def split(patch):
    """The FileDiffs of a unified diff, in the order they appear."""
    return diff.parse(patch, "the combined patch")


def _bins(files):
    """files cut, a file at a time and in order, into runs that change
    at most MAX_LINES lines (a bigger file stays one patch)."""
    out, cur, size = [], [], 0
    for d in files:
        n = d.added + d.deleted
        if cur and size + n > MAX_LINES:
            out.append(cur)
            cur, size = [], 0
        cur.append(d)
        size += n
    return out + ([cur] if cur else [])


def group(patch, sites, entries=None):
    """The patches' Groups of FileDiffs and sites, in order of their
    first file.  entries: {path: (MAINTAINERS entry name, its typed
    lines)} (maintainers.Answers.sections_of()); a file it lacks is
    grouped by directory_of()."""
    entries = entries or {}
    by_key = {}
    for d in split(patch):
        name, typed = entries.get(d.path, (None, {}))
        key = name if name is not None else "dir:" + directory_of(d.path)
        grp = by_key.setdefault(key, Group(
            name or "", status=(typed.get("S") or [""])[0]))
        grp.files.append(d)
        for kind, into in (("L", grp.lists), ("M", grp.people),
                           ("R", grp.people)):
            into += [v for v in typed.get(kind, []) if v not in into]
    groups = []
    for grp in sorted(by_key.values(), key=lambda g: g.paths[0]):
        for files in _bins(grp.files):
            groups.append(Group(grp.entry, files, lists=list(grp.lists),
                                people=list(grp.people),
                                status=grp.status))
    for g in groups:
        paths = set(g.paths)
        for site in sites:
            if site["file"] in paths:
                (g.sites if site["action"] == REWRITTEN
                 else g.others).append(site)
    return groups


# --- text -------------------------------------------------------------------

def _scale(it, width, max_change):
    return 0 if not it else 1 + (it * (width - 1) // max_change)


def diffstat(diffs, width=WRAP):
    """The diffstat git format-patch writes (its 72-column layout)."""
    if not diffs:
        return ""
    max_len = max(len(d.path) for d in diffs)
    max_change = max(d.added + d.deleted for d in diffs)
    number_width = len(str(max_change))
    graph_width = max_change
    name_width = max_len
    if name_width + number_width + 6 + graph_width > width:
        if graph_width > width * 3 // 8 - number_width - 6:
            graph_width = max(6, width * 3 // 8 - number_width - 6)
        if name_width > width - number_width - 6 - graph_width:
            name_width = width - number_width - 6 - graph_width
        else:
            graph_width = width - number_width - 6 - name_width
    lines = []
    for d in diffs:
        name, prefix = d.path, ""
        if len(name) > name_width:
            prefix = "..."
            name = name[len(name) - max(0, name_width - 3):]
            if "/" in name:
                name = name[name.index("/"):]
        add, dele = d.added, d.deleted
        if graph_width <= max_change:
            total = _scale(add + dele, graph_width, max_change)
            if total < 2 and add and dele:
                total = 2
            if add < dele:
                add = _scale(add, graph_width, max_change)
                dele = total - add
            else:
                dele = _scale(dele, graph_width, max_change)
                add = total - dele
        changed = d.added + d.deleted
        lines.append(" %s%-*s | %*d%s%s%s" % (
            prefix, name_width - len(prefix), name, number_width, changed,
            " " if changed else "", "+" * add, "-" * dele))
    ins = sum(d.added for d in diffs)
    dels = sum(d.deleted for d in diffs)
    total = " %d file%s changed" % (len(diffs), "" if len(diffs) == 1
                                    else "s")
    if ins or not dels:
        total += ", %d insertion%s(+)" % (ins, "" if ins == 1 else "s")
    if dels or not ins:
        total += ", %d deletion%s(-)" % (dels, "" if dels == 1 else "s")
    return "\n".join(lines + [total]) + "\n"


def converted_apis(grp):
    """The APIs a patch converts: from its sites, else from its diff."""
    apis = {s["api"] for s in grp.sites}
    if not apis:
        removed = "\n".join(line.text for d in grp.files for h in d.hunks
                            for line in h.lines if line.kind == "-")
        apis = {api for api, rx in _CALL_RE.items() if rx.search(removed)}
    return apis


def subject_text(prefix, apis):
    if not apis:
        return "%s: Convert to kmap_local_page()" % prefix
    return "%s: Convert %s to kmap_local_page()" % (prefix,
                                                    message.calls(apis))


# --- the series -------------------------------------------------------------

def resolve_author(value=None):
    """--from, else $KMAPCONV_FROM, else git's user, else the default."""
    value = value or os.environ.get(AUTHOR_ENV)
    if not value:
        name, email = run.git_config("user.name"), run.git_config(
            "user.email")
        value = "%s <%s>" % (name, email) if name and email \
            else DEFAULT_AUTHOR
    value = " ".join(value.split())
    if not _AUTHOR_RE.match(value):
        raise KmapconvError("the patch author %r is not of the form "
                            "'Name <email>' (set --from or %s)"
                            % (value, AUTHOR_ENV))
    return value


def patch_date():
    """$SOURCE_DATE_EPOCH (reproducible series) or now, git's format."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    try:
        when = (datetime.fromtimestamp(int(epoch), timezone.utc) if epoch
                else datetime.now(timezone.utc))
    except (ValueError, OverflowError, OSError):
        raise KmapconvError("SOURCE_DATE_EPOCH is not a timestamp: %r"
                            % epoch)
    # Not strftime: %a and %b follow the locale, mail headers must not.
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
              "Sep", "Oct", "Nov", "Dec")
    return "%s, %d %s %d %02d:%02d:%02d +0000" % (
        days[when.weekday()], when.day, months[when.month - 1], when.year,
        when.hour, when.minute, when.second)


def slug(subject):
    """git format-patch's file name for a subject (at most 64 chars)."""
    text = re.sub(r"[^A-Za-z0-9._]+", "-", subject).strip("-.")
    return text[:64].rstrip("-.")


def _write(path, text):
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(text)


class _Narrower:
    """mpath(patch_file, paths): a MAINTAINERS narrowed to what a patch
    changing paths can match (narrow.py), written beside patch_file (a
    question: narrow.question() of the patch); None if the tree's is
    unreadable (get_maintainer.pl then reads it itself).  The tree's is
    read on first use: a rerun whose answers are all cached needs none."""

    def __init__(self, ksrc):
        self.ksrc = ksrc
        self.whole = False

    def mpath(self, patch_file, paths):
        if self.whole is False:
            try:
                with open(os.path.join(self.ksrc, "MAINTAINERS"),
                          encoding="utf-8", errors="surrogateescape") as f:
                    self.whole = narrow.Maintainers(f.read())
            except OSError:
                self.whole = None
        if self.whole is None:
            return None
        with open(patch_file, encoding="utf-8",
                  errors="surrogateescape") as f:
            text = f.read()
        mpath = patch_file + ".MAINTAINERS"
        _write(mpath, self.whole.narrowed(paths, text))
        return mpath


def _ask_maintainers(ksrc, sites, patch, jobs, answers):
    """The MAINTAINERS entry of each changed file, then the groups, with
    get_maintainer.pl's people and lists for each patch added to the
    entry's own; directory groups when the script cannot run."""
    if not ksrc or not os.path.isfile(
            os.path.join(ksrc, "scripts", "get_maintainer.pl")):
        return group(patch, sites)
    answers = answers or maintainers.Answers(ksrc, use_cache=False)
    scratch = tempfile.mkdtemp(prefix="kmapconv-series-")
    try:
        narrower = _Narrower(ksrc)
        paths = diff.paths(split(patch))
        whole = os.path.join(scratch, "all.patch")
        _write(whole, narrow.question(patch))
        asked = os.path.join(scratch, "sections")
        os.mkdir(asked)
        entries = answers.sections_of(
            paths, lambda: narrower.mpath(whole, paths), jobs, asked)
        result = group(patch, sites, entries)
        files = {}
        for n, grp in enumerate(result):
            name = os.path.join(scratch, "%04d.patch" % n)
            files[name] = diff.paths(grp.files)
            _write(name, narrow.question(
                "".join(d.text for d in grp.files)))
        asked = os.path.join(scratch, "answers")
        os.mkdir(asked)
        found = answers.for_patches(
            list(files), lambda name: narrower.mpath(name, files[name]),
            jobs, asked)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    for grp, (people, lists) in zip(result, found):
        grp.lists += [a for a in lists if a not in grp.lists]
        grp.people += [who for who, _role in people
                       if who not in grp.people]
    for grp in result:
        grp.lists = list(dict.fromkeys(_bare(a) for a in grp.lists
                                       if _address(a)))
        grp.people = _one_per_address(a for a in grp.people
                                      if _address(a))
    return result


def _address_key(who):
    """What two spellings of one person share: the address, lower case
    (MAINTAINERS writes "Ann Né <a@b>", get_maintainer.pl may quote the
    name)."""
    return (email.utils.parseaddr(who)[1] or who).lower()


# RFC 5322's specials: a display name holding one is quoted.
_SPECIALS_RE = re.compile(r'[()<>\[\]:;@\\,."]')


def _mailbox(who):
    """who as a header names it: "Name <address>", the name quoted when
    it holds a special (MAINTAINERS writes "T.J. Mercier <a@b>" bare);
    a bare address as it is."""
    name, address = email.utils.parseaddr(who)
    if not name or not address:
        return who
    if _SPECIALS_RE.search(name):
        name = '"%s"' % name.replace("\\", "\\\\").replace('"', '\\"')
    return "%s <%s>" % (name, address)


def _one_per_address(people, but=()):
    """people in order as headers name them (_mailbox()), each address
    once, and none with an address of but (the author, the To: lists)."""
    seen = {_address_key(b) for b in but}
    out = []
    for who in people:
        if _address_key(who) not in seen:
            seen.add(_address_key(who))
            out.append(_mailbox(who))
    return out


def _address(text):
    return "@" in text and "\n" not in text


# An L: line's remark after the address: "(subscribers-only)".
_REMARK_RE = re.compile(r"\s*\([^()]*\)\s*$")


def _bare(address):
    while _REMARK_RE.search(address) and "@" in _REMARK_RE.sub(
            "", address):
        address = _REMARK_RE.sub("", address)
    return address


def _folded(name, addresses):
    """A To:/Cc: header, one address a line as git format-patch folds."""
    if not addresses:
        return ""
    return "%s: %s\n" % (name, ",\n    ".join(addresses))


def _mail(author, date, subject, paras, trailers, stat, diff_text="",
          to=(), cc=(), notes=()):
    body = "\n\n".join(paras)
    return "".join([
        ZERO_FROM, "\n",
        "From: %s\n" % author,
        "Date: %s\n" % date,
        "Subject: %s\n" % subject,
        _folded("To", list(to)), _folded("Cc", list(cc)),
        "\n", body, "\n",
        ("\n" + "".join(t + "\n" for t in trailers)) if trailers else "",
        "---\n" if diff_text else "\n",
        "".join(n + "\n\n" for n in notes),
        stat, "\n", diff_text,
        "-- \nkmapconv %s\n\n" % __version__])


def _tag(n, total):
    width = len(str(total))
    return "[PATCH %0*d/%d]" % (width, n, total)


def _count_table(findings, groups):
    """Sites per directory and action, with the patch converting them."""
    patch_no = {}
    for n, g in enumerate(groups, 1):
        for path in g.paths:
            patch_no.setdefault(directory_of(path), []).append(n)
    rows = {}
    for s in findings.sites:
        row = rows.setdefault(directory_of(s["file"]),
                              {"rewritten": 0, "manual": 0, "kept": 0})
        row[s["action"]] += 1
    names = sorted(set(rows) | set(patch_no))
    numbers = {n: ",".join(str(i) for i in sorted(set(patch_no[n])))
               for n in patch_no}
    width = max([len(n or ".") for n in names] + [len("directory")])
    nwidth = max([len(v) for v in numbers.values()] + [len("left out")])
    fmt = "  %-*s %*s %10s %7s %5s"
    lines = [fmt % (width, "directory", nwidth, "patch", "rewritten",
                    "manual", "kept")]
    for name in names:
        row = rows.get(name, {})
        lines.append(fmt % (width, name or ".", nwidth,
                            numbers.get(name, "left out" if row.get(
                                "rewritten") else "-"),
                            row.get("rewritten", 0), row.get("manual", 0),
                            row.get("kept", 0)))
    return "\n".join(lines)


def _union(lists):
    out = []
    for items in lists:
        out += [a for a in items if a not in out]
    return out


def _base(findings, ksrc):
    """The cover letter's last line: what the series applies to."""
    head = run.git_in(ksrc, ["rev-parse", "--verify", "HEAD"]) \
        if ksrc else None
    if head and head.strip():
        return "base-commit: %s" % head.strip()
    if findings.kernel_version:
        return "Based on Linux %s (its top-level Makefile)." % (
            findings.kernel_version)
    return ""


def _fixes_note(ksrc, site):
    """Below the "---" (git am drops it): the commit git blame gives for
    the kmap_atomic() line of a region that sleeps, as a Fixes: tag for
    the sender to check; "" without history."""
    blame = run.git_in(ksrc, ["blame", "--porcelain", "-L", "%d,%d" % (
        site["line"], site["line"]), "--", site["file"]]) if ksrc else None
    sha = blame.split(" ", 1)[0] if blame else ""
    tag = run.git_in(ksrc, ["log", "-1", "--abbrev=12",
                            '--format=Fixes: %h ("%s")', sha]) \
        if re.match(r"^[0-9a-f]{40}$", sha) else None
    if not tag or not tag.strip():
        return ""
    return message.wrap(
        "Fixes: candidate, the commit that last changed the "
        "kmap_atomic() line of %s() (git blame); check it before adding "
        "the tag:" % site["function"]) + "\n" + tag.strip()


# Audit findings that say nothing of the code's own mapping bugs.
_NOT_A_BUG = ("parse-error", "not-audited")


def _pre_existing_note(findings, grp):
    """Below the "---": what kmap-audit reports in the patch's files both
    before and after the rewrite (findings.audit's pre_existing), which
    the patch neither makes nor fixes: a bug, or a path the audit could
    not rule out (a condition it cannot follow through a call); "" when
    it reports none."""
    audit = findings.audit or {}
    paths = set(grp.paths)
    found = [p for p in audit.get("pre_existing", [])
             if p.get("file") in paths and p.get("kind") not in _NOT_A_BUG]
    if not found:
        return ""
    return message.wrap(
        "kmap-audit reports paths it could not rule out in the code before "
        "this patch, which remain after it (not the patch's doing, and not "
        "fixed here; lines of the patched file; the audit does not know "
        "every invariant the code keeps, so read each before acting on "
        "it): %s." % "; ".join(
            "%s:%s %s(): %s [%s]" % (p["file"], p.get("line", 0),
                                    p.get("function", ""),
                                    " ".join(p.get("message", "").split()),
                                    p["kind"]) for p in found))


def _sha256(text):
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")
                          ).hexdigest()


def testing(findings, out):
    """What really ran on this patch: make verify's builds (OUT's
    verify.json, only if made from this very patch) and convert's audit
    (findings.audit).  [] when nothing did."""
    said = []
    verified = None
    if out:
        try:
            with open(os.path.join(out, "verify.json"),
                      encoding="utf-8") as f:
                verified = json.load(f)
        except (OSError, ValueError):
            verified = None
    if verified and verified.get("patch", {}).get("sha256") == \
            _sha256(findings.patch) and verified.get("files"):
        parts = []
        for arch in verified.get("arches", []):
            c = verified.get("counts", {}).get(arch, {})
            config = verified.get("config", {}).get(arch, {})
            forced = config.get("required") or []
            parts.append("%s (%s%s): %d built, %d broken by "
                         "the patch, %d failing without it, %d not built "
                         "in that configuration" % (
                             arch, config.get("base", "allmodconfig"),
                             " with " + ", ".join(forced) if forced else "",
                             c.get("ok", 0), c.get("broken", 0),
                             c.get("fails-without-patch", 0),
                             c.get("not-built", 0)))
        said.append(message.wrap(
            "Build-tested: every .c file the series changes was compiled "
            "with the series applied, %s." % "; ".join(parts)))
    audit = findings.audit
    if audit is not None and "unavailable" not in audit:
        rewritten = {s["file"] for s in findings.sites
                     if s["action"] == REWRITTEN}
        files = {f for r in audit.get("rounds", [])
                 for f in r.get("audited", [])} & rewritten
        proved = len(audit.get("proved", []))
        said.append(message.wrap(
            "kmap-audit (a libclang pass checking on every path that "
            "local mappings are released in reverse order, not leaked, "
            "not used after the unmap and not unmapped twice) audited "
            "the %d rewritten .c files: it found nothing the conversion "
            "introduced%s%s%s%s." % (
                len(files), "" if not audit.get("demoted") else
                " in what remains (%d sites it flagged were left out)"
                % len(audit["demoted"]),
                "" if not proved else
                ", and it proved the paths of %d converted site%s that "
                "the semantic patch could not follow"
                % (proved, "" if proved == 1 else "s"),
                "" if not audit.get("unchecked") else
                "; it could not check %d converted site%s, in code compiled "
                "out under its configurations or not building for them"
                % (len(audit["unchecked"]),
                   "" if len(audit["unchecked"]) == 1 else "s"),
                "" if not audit.get("partly_audited") else
                "; functions of %d files with a compile error under the "
                "audit's configuration were not audited"
                % len(audit["partly_audited"]))
            + ("" if not audit.get("not_audited") else
               " It could not audit %d file%s: %s." % (
                   len(audit["not_audited"]),
                   "" if len(audit["not_audited"]) == 1 else "s",
                   ", ".join(n["file"] for n in audit["not_audited"])))))
    if not said:
        said.append(message.wrap(
            "Not build-tested or audited yet: no make verify or "
            "kmap-audit results for this series were found."))
    return said


def _left_out(groups):
    """The cover letter's word on the entries left out (obsolete)."""
    if not groups:
        return []
    return [message.wrap(
        "Left out: the conversion of %s, whose MAINTAINERS entr%s (%s) "
        "%s marked obsolete (no unnecessary modifications); it is in "
        "kmap-local.patch for whoever wants it." % (
            ", ".join(p for g in groups for p in g.paths),
            "y" if len({g.entry for g in groups}) == 1 else "ies",
            "; ".join(dict.fromkeys(g.entry for g in groups)),
            "is" if len({g.entry for g in groups}) == 1 else "are"))]


def _cover(findings, groups, author, date, subjects, ksrc, out,
           left_out=()):
    apis = set()
    for grp in groups:
        apis |= converted_apis(grp)
    area = "treewide" if findings.subsys == "." else findings.subsys
    paras = [message.wrap(
        "This series converts %s call sites under %s to "
        "kmap_local_page(), one patch per MAINTAINERS entry, so that each "
        "can go through its maintainer's tree; the patches are "
        "independent of each other." % (
            message.calls(apis) or "kmap()/kmap_atomic()",
            "the whole tree" if area == "treewide" else area + "/"))]
    paras += message.why(apis)
    paras += testing(findings, out)
    paras += _left_out(left_out)
    paras.append(message.wrap(
        "The patches were generated by kmapconv %s%s with %s. Call sites "
        "per directory: rewritten (by the patch numbered; \"left out\" "
        "where that patch is), left for a human (manual) and kept as they "
        "are (the mapping outlives the function or thread, or is the "
        "mapping API's own):" % (
            findings.version,
            " from Linux %s" % findings.kernel_version
            if findings.kernel_version else "", findings.cocci_label)))
    paras.append(_count_table(findings, groups))
    shortlog = "%s (%d):\n%s" % (
        author.split(" <")[0], len(groups),
        "\n".join(message.wrap(s, "  ") for s in subjects))
    paras.append(shortlog)
    every = [d for grp in groups for d in grp.files]
    stat = diffstat(every)
    base = _base(findings, ksrc)
    return _mail(author, date, "%s %s" % (_tag(0, len(groups)),
                                          subject_text(area, apis)),
                 paras, [], stat + ("\n" + base + "\n" if base else ""),
                 to=_union(g.lists for g in groups),
                 cc=_one_per_address(_union(g.people for g in groups),
                                     but=[author] + _union(
                                         g.lists for g in groups)))


def render(findings, ksrc=None, author=None, date=None, jobs=None,
           answers=None, out=None):
    """{file name: text} of the series for findings.patch ({} if empty).

    answers: get_maintainer.pl's answers, cached (maintainers.Answers);
    out: the output directory whose verify results the cover letter
    reports (testing()).
    """
    if not findings.patch.strip():
        return {}
    author = author or resolve_author()
    date = date or patch_date()
    groups = _ask_maintainers(ksrc, findings.sites, findings.patch,
                              jobs or os.cpu_count() or 1, answers)
    left_out = [g for g in groups if g.obsolete]
    groups = [g for g in groups if not g.obsolete]
    if not groups:
        return {}
    prefixes = prefix.Prefixes(ksrc)
    files = {}
    subjects = []
    for grp, name in zip(groups, prefixes.of_series([g.paths
                                                     for g in groups])):
        grp.prefix = name
    for n, grp in enumerate(groups, 1):
        apis = converted_apis(grp)
        subject = subject_text(grp.prefix, apis)
        subjects.append(subject)
        # The calls left are counted in the patch's files, not in the
        # rest of their directory.
        where = grp.paths[0] if len(grp.paths) == 1 else "this patch's files"
        sleeps = message.sleeps_removed(grp.sites, ksrc)
        files["%04d-%s.patch" % (n, slug(subject))] = _mail(
            author, date, "%s %s" % (_tag(n, len(groups)), subject),
            message.body(grp.sites, apis, sleeps, grp.others),
            ["Signed-off-by: %s" % author], diffstat(grp.files),
            "".join(d.text for d in grp.files), to=grp.lists,
            cc=_one_per_address(grp.people, but=[author] + grp.lists),
            notes=[note for note in [message.left_note(grp.others, where),
                                     _pre_existing_note(findings, grp)]
                   + [_fixes_note(ksrc, site) for site, _path in sleeps]
                   if note])
    files[COVER] = _cover(findings, groups, author, date, subjects, ksrc,
                          out, left_out)
    return files
