# SPDX-License-Identifier: GPL-2.0-only
"""OUT/series/: the combined patch as a git format-patch style series.

A tree-wide conversion is merged one driver or filesystem at a time,
each through its maintainer's tree, so the series has one patch per
directory plus a cover letter.  The directory of a changed file is
the directory holding it, cut to DEFAULT_DEPTH leading components
(fs/<x>, net/<x>, mm, lib, ...), or to DEPTH[top] for the top-level
directories whose second level is only a category (drivers/md,
drivers/gpu/drm/<x>, sound/soc/<x>, arch/<arch>/<x>).  A file sitting
higher up stays in the directory holding it: fs/aio.c is in "fs", not
in any fs/<x>.  The subject prefix is the directory's last component.

Every file is in exactly one patch, so each patch applies to the
original tree on its own (apply.py relies on that).
"""

import os
import re
import shutil
import tempfile
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timezone

from . import __version__, narrow, run
from .errors import KmapconvError
from .sites import APIS

DIRNAME = "series"
COVER = "0000-cover-letter.patch"
# git format-patch's marker line: not a real commit, a fixed date.
ZERO_FROM = ("From 0000000000000000000000000000000000000000 "
             "Mon Sep 17 00:00:00 2001")
DEFAULT_AUTHOR = "kmapconv <kmapconv@localhost>"
AUTHOR_ENV = "KMAPCONV_FROM"
WRAP = 72                   # kernel commit messages; checkpatch warns >75
DEFAULT_DEPTH = 2
DEPTH = {"drivers": 4, "sound": 3, "arch": 3}
REWRITTEN = "rewritten"      # the action of a site the patch converts

_HUNK_RE = re.compile(r"^@@ -\d+(?:,(\d+))? \+\d+(?:,(\d+))? @@")
_GIT_DIFF_RE = re.compile(r"^diff --git a/(\S+) b/(\S+)")
_AUTHOR_RE = re.compile(r"^[^<>\n]+ <[^<>@\s]+@[^<>\s]+>$")
_CALL_RE = {api: re.compile(r"\b%s\s*\(" % api) for api in APIS}


@dataclass
class FileDiff:
    """One file's section of a unified diff."""
    path: str               # relative to KSRC (-p1 stripped)
    text: str               # the section, header lines included
    added: int = 0
    deleted: int = 0


@dataclass
class Group:
    """The files of one patch: one driver or filesystem directory."""
    directory: str
    files: list = field(default_factory=list)      # FileDiff
    sites: list = field(default_factory=list)      # rewritten sites
    others: list = field(default_factory=list)     # the directory's rest

    @property
    def prefix(self):
        return os.path.basename(self.directory) or "treewide"


# --- parsing ----------------------------------------------------------------

def _strip_p1(name):
    name = name.split("\t")[0].strip()
    if name == "/dev/null":
        return None
    return name.split("/", 1)[1] if "/" in name else name


def _section_path(lines):
    old = new = None
    for line in lines:
        if line.startswith("@@"):
            break               # the headers are above the first hunk
        if line.startswith("--- ") and old is None:
            old = _strip_p1(line[4:])
        elif line.startswith("+++ ") and new is None:
            new = _strip_p1(line[4:])
    if new or old:
        return new or old
    match = _GIT_DIFF_RE.match(lines[0])
    if match:
        return match.group(2)
    raise KmapconvError("patch section without a file name: %r"
                        % lines[0][:80])


def split(patch):
    """The FileDiffs of a unified diff, in the order they appear.

    Hunk lengths are counted so that a removed line reading "-- x"
    ("--- x" in the diff) is never taken for the next file's header.
    """
    sections = []           # (FileDiff, its lines)
    cur = lines = None
    has_old = False         # cur has its "--- " line already
    old_left = new_left = 0
    for line in patch.splitlines(keepends=True):
        if old_left > 0 or new_left > 0:
            tag = line[:1]
            if tag in (" ", "\n", "\r"):
                old_left -= 1
                new_left -= 1
            elif tag == "-":
                old_left -= 1
                cur.deleted += 1
            elif tag == "+":
                new_left -= 1
                cur.added += 1
            lines.append(line)
            continue
        # A file starts at "diff ...", or at "--- " unless that belongs
        # to the "diff ..." line just before it.
        is_old = line.startswith("--- ")
        if line.startswith("diff ") or (is_old and (cur is None
                                                    or has_old)):
            cur, lines = FileDiff("", ""), []
            sections.append((cur, lines))
            has_old = False
        if cur is None:
            continue            # text before the first file: not a diff
        has_old = has_old or is_old
        match = _HUNK_RE.match(line)
        if match:
            old_left, new_left = (int(n) if n is not None else 1
                                  for n in match.groups())
        lines.append(line)
    for diff, lines in sections:
        diff.text = "".join(lines)
        diff.path = _section_path(lines)
    return [diff for diff, _ in sections]


def directory_of(path):
    """The directory a file's patch is named after (see the docstring)."""
    parts = os.path.dirname(os.path.normpath(path)).split("/")
    if parts == [""]:
        return ""
    return "/".join(parts[:DEPTH.get(parts[0], DEFAULT_DEPTH)])


def group(patch, sites):
    """Groups of FileDiffs (and their rewritten sites), by directory."""
    groups = {}
    for diff in split(patch):
        key = directory_of(diff.path)
        groups.setdefault(key, Group(key)).files.append(diff)
    for site in sites:
        key = directory_of(site["file"])
        if key in groups:
            grp = groups[key]
            (grp.sites if site["action"] == REWRITTEN
             else grp.others).append(site)
    return [groups[k] for k in sorted(groups)]


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


def _wrap(text, indent=""):
    # break_on_hyphens off: "kmap_atomic()" and "->" stay whole.
    return textwrap.fill(" ".join(text.split()), WRAP,
                         initial_indent=indent,
                         subsequent_indent=" " * len(indent),
                         break_long_words=False, break_on_hyphens=False)


def _calls(api_set):
    names = ["%s()" % api for api in APIS if api in api_set]
    return " and ".join(names)


def converted_apis(grp):
    """The APIs a patch converts: from its sites, else from its diff."""
    apis = {s["api"] for s in grp.sites}
    if not apis:
        for diff in grp.files:
            removed = "".join(l for l in diff.text.splitlines(True)
                              if l.startswith("-") and
                              not l.startswith("--- "))
            apis |= {api for api, rx in _CALL_RE.items()
                     if rx.search(removed)}
    return apis


def subject_text(prefix, apis):
    if not apis:
        return "%s: Convert to kmap_local_page()" % prefix
    return "%s: Convert %s to kmap_local_page()" % (prefix, _calls(apis))


def _why(apis):
    """The paragraphs every patch (and the cover letter) starts with."""
    old = []
    if "kmap_atomic" in apis:
        old.append("kmap_atomic() is deprecated in favour of "
                   "kmap_local_page().")
    if "kmap" in apis:
        old.append("kmap() is being phased out as well: its mappings are "
                   "global, so on HIGHMEM systems they take a lock, can "
                   "sleep waiting for a free slot and need a TLB flush on "
                   "every CPU when slots are recycled.")
    paras = [_wrap(" ".join(old))] if old else []
    return paras + [
        _wrap("A mapping made by kmap_local_page() is thread-local: the "
              "address is valid only in the thread that created it, "
              "nested mappings must be released in reverse (LIFO) order, "
              "and unlike kmap_atomic() it disables neither page faults "
              "nor preemption.")]


def _lines_of(sites):
    by_api = {}
    for s in sites:
        by_api.setdefault(s["api"], []).append(s["line"])
    parts = []
    for api in APIS:
        if api in by_api:
            lines = sorted(set(by_api[api]))
            parts.append("%s() at line%s %s" % (
                api, "s" if len(lines) > 1 else "",
                ", ".join(str(n) for n in lines)))
    return "; ".join(parts)


def _evidence(sites):
    """One block per function: where, why it is safe, what changed."""
    by_fn = {}
    for s in sites:
        by_fn.setdefault((s["file"], s["function"]), []).append(s)
    blocks = []
    # In source order: file, then the function's first site.
    for (path, fn), fsites in sorted(
            by_fn.items(), key=lambda kv: (kv[0][0],
                                           min(s["line"] for s in kv[1]))):
        head = "%s in %s (%s):" % ("%s()" % fn if fn else "file scope",
                                   path, _lines_of(fsites))
        items = []
        for s in fsites:
            for note in list(s["reasons"]) + list(s.get("rewrite") or []):
                if note not in items:
                    items.append(note)
        blocks.append("\n".join([_wrap(head)]
                                + [_wrap(i, "- ") for i in items]))
    return blocks


def _count(n, noun):
    return "%d %s%s" % (n, noun, "" if n == 1 else "s")


def commit_message(grp, apis):
    paras = _why(apis)
    if grp.sites:
        if all(s["class"] == "thread-local" for s in grp.sites):
            paras.append(_wrap(
                "Every site converted here is thread-local: the page is "
                "mapped and unmapped in the same function, the address "
                "stays in that thread, overlapping mappings are released "
                "in reverse order, and nothing relies on page faults or "
                "preemption being disabled. The evidence, per function:"))
        else:
            paras.append(_wrap("The sites converted here, with the "
                               "evidence that each is safe, per function:"))
        paras += _evidence(grp.sites)
    manual = sum(s["action"] == "manual" for s in grp.others)
    kept = sum(s["action"] == "kept" for s in grp.others)
    left = []
    if manual:
        left.append("%s needing a human (out-of-order nesting, a mapping "
                    "split across functions, or code relying on "
                    "kmap_atomic() disabling page faults)"
                    % _count(manual, "call site"))
    if kept:
        left.append("%s that must stay kmap() because another thread "
                    "uses the mapping" % _count(kept, "call site"))
    if left:
        # Reviewers will ask about the calls that are still there.
        paras.append(_wrap("Not converted in %s/: %s." % (
            grp.directory or ".", " and ".join(left))))
    return paras


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
    """mpath(patch_file): a MAINTAINERS narrowed to what the patch can
    match (narrow.py), written beside it; None if the tree's is
    unreadable (get_maintainer.pl then reads it itself).  The tree's is
    read on first use: a rerun whose answers are all cached needs none."""

    def __init__(self, ksrc):
        self.ksrc = ksrc
        self.whole = False

    def mpath(self, patch_file):
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
        _write(mpath, self.whole.narrowed(narrow.patch_paths(text), text))
        return mpath


def _cc_lists(ksrc, diffs, jobs, answers=None):
    """get_maintainer.pl's addresses per patch ([] when it cannot run).

    answers: a maintainers.Answers that remembers them between runs.
    """
    if not ksrc or not os.path.isfile(
            os.path.join(ksrc, "scripts", "get_maintainer.pl")):
        return [[] for _ in diffs]
    scratch = tempfile.mkdtemp(prefix="kmapconv-series-")
    try:
        paths = []
        for n, text in enumerate(diffs):
            paths.append(os.path.join(scratch, "%04d.patch" % n))
            _write(paths[-1], narrow.question(text))
        narrower = _Narrower(ksrc)
        asked = os.path.join(scratch, "answers")
        os.mkdir(asked)
        if answers:
            found = answers.for_patches(paths, narrower.mpath, jobs, asked)
        else:
            found = run.get_maintainer_many(
                ksrc, [run.get_maintainer_args(p, mpath=narrower.mpath(p))
                       for p in paths], jobs, asked)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return [[a for a in addrs if "@" in a and "\n" not in a]
            for addrs in found]


def _mail(author, date, subject, paras, trailers, stat, diff=""):
    body = "\n\n".join(paras)
    return "".join([
        ZERO_FROM, "\n",
        "From: %s\n" % author,
        "Date: %s\n" % date,
        "Subject: %s\n" % subject,
        "\n", body, "\n",
        ("\n" + "".join(t + "\n" for t in trailers)) if trailers else "",
        "---\n" if diff else "\n",
        stat, "\n", diff,
        "-- \nkmapconv %s\n\n" % __version__])


def _tag(n, total):
    width = len(str(total))
    return "[PATCH %0*d/%d]" % (width, n, total)


def _count_table(findings, groups):
    """Sites per directory and action, with the patch converting them."""
    patch_no = {g.directory: n for n, g in enumerate(groups, 1)}
    rows = {}
    for s in findings.sites:
        row = rows.setdefault(directory_of(s["file"]),
                              {"rewritten": 0, "manual": 0, "kept": 0})
        row[s["action"]] += 1
    names = sorted(set(rows) | set(patch_no))
    width = max([len(n or ".") for n in names] + [len("directory")])
    fmt = "  %-*s %6s %10s %7s %5s"
    lines = [fmt % (width, "directory", "patch", "rewritten", "manual",
                    "kept")]
    for name in names:
        row = rows.get(name, {})
        lines.append(fmt % (width, name or ".", patch_no.get(name, "-"),
                            row.get("rewritten", 0), row.get("manual", 0),
                            row.get("kept", 0)))
    return "\n".join(lines)


def _cover(findings, groups, author, date, subjects):
    apis = set()
    for grp in groups:
        apis |= converted_apis(grp)
    area = "treewide" if findings.subsys == "." else findings.subsys
    paras = [_wrap(
        "This series converts %s call sites under %s to "
        "kmap_local_page(), one patch per driver or filesystem directory, "
        "so that each can go through its maintainer's tree."
        % (_calls(apis) or "kmap()/kmap_atomic()",
           "the whole tree" if area == "treewide" else area + "/"))]
    paras += _why(apis)
    paras.append(_wrap(
        "The patches were generated by kmapconv %s%s with %s. Call sites "
        "per directory: rewritten by this series, left for a human "
        "(manual) and kept as kmap() because the mapping is used across "
        "threads:" % (
            findings.version,
            " from Linux %s" % findings.kernel_version
            if findings.kernel_version else "", findings.cocci_label)))
    paras.append(_count_table(findings, groups))
    shortlog = "%s (%d):\n%s" % (
        author.split(" <")[0], len(groups),
        "\n".join(_wrap(s, "  ") for s in subjects))
    paras.append(shortlog)
    every = [d for grp in groups for d in grp.files]
    return _mail(author, date, "%s %s" % (_tag(0, len(groups)),
                                          subject_text(area, apis)),
                 paras, [], diffstat(every))


def render(findings, ksrc=None, author=None, date=None, jobs=None,
           answers=None):
    """{file name: text} of the series for findings.patch ({} if empty).

    answers: get_maintainer.pl's answers, cached (maintainers.Answers).
    """
    if not findings.patch.strip():
        return {}
    author = author or resolve_author()
    date = date or patch_date()
    groups = group(findings.patch, findings.sites)
    diffs = ["".join(d.text for d in grp.files) for grp in groups]
    ccs = _cc_lists(ksrc, diffs, jobs or os.cpu_count() or 1, answers)
    files = {}
    subjects = []
    for n, (grp, diff, cc) in enumerate(zip(groups, diffs, ccs), 1):
        apis = converted_apis(grp)
        subject = subject_text(grp.prefix, apis)
        subjects.append(subject)
        trailers = ["Cc: %s" % a for a in cc if a != author]
        trailers.append("Signed-off-by: %s" % author)
        files["%04d-%s.patch" % (n, slug(subject))] = _mail(
            author, date, "%s %s" % (_tag(n, len(groups)), subject),
            commit_message(grp, apis), trailers, diffstat(grp.files),
            diff)
    files[COVER] = _cover(findings, groups, author, date, subjects)
    return files
