# SPDX-License-Identifier: GPL-2.0-only
"""make dashboard: where a tree-wide campaign stands, as static HTML.

OUT/index.html shows, per subsystem (top-level directory) and per
directory (the directories of the patch series), the sites by class and
action with bar charts, each directory's maintainers and mailing lists
(from the tree's MAINTAINERS, via scripts/get_maintainer.pl), and links
to its series patch and to OUT/dashboard/<directory>.html, which lists
every site with its reasons.  With a second campaign (another OUT, or a
tree that is converted for the purpose, e.g. 6.12 against 6.1) it adds
what is left there, directory by directory.

The pages are self-contained: inline CSS and SVG, no script, nothing
fetched.  They are built from convert's own files (sites.jsonl,
series/, report.md), never from a new analysis of OUT's tree.
"""

import hashlib
import os
import re
import shutil
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from html import escape

from kerneltree import diff

from . import (__version__, convert, ksrc, outdir, series, settings, sites,
               svgchart)
from .errors import KmapconvError
from .sites import ACTIONS, CLASSES

INDEX = "index.html"
PAGES = "dashboard"
CLASS_COLOURS = {"thread-local": "#2e7d32", "nesting-sensitive": "#f9a825",
                 "cross-thread": "#c62828"}
ACTION_COLOURS = {"rewritten": "#1565c0", "manual": "#ef6c00",
                  "kept": "#6a1b9a"}
TOP = "(top level)"
SUBSYSTEM_DEPTH = {"drivers": 2, "arch": 2, "sound": 2}

STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
table { border-collapse: collapse; margin: 0.5em 0 1.5em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; vertical-align: top;
  font-size: 13px; }
th { background: #eee; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
td.who { font-size: 12px; }
ul { margin: 0; padding-left: 1.2em; }
.summary { font-size: 15px; }
svg.chart { display: block; margin: 0.5em 0 1em; }
"""


@dataclass
class Campaign:
    """One convert output, as the dashboard reads it."""
    out: str
    label: str
    short: str                  # "6.1.158", or the directory name
    sites: list
    patches: dict = field(default_factory=dict)    # directory -> file


def _kernel_tree_line(out):
    try:
        with open(os.path.join(out, "report.md"), encoding="utf-8") as f:
            for line in f:
                if line.startswith("- Kernel tree: "):
                    return line[len("- Kernel tree: "):].strip()
    except OSError:
        pass
    return ""


def _patches(out):
    """directory -> series file name, from the files each patch changes."""
    folder = os.path.join(out, series.DIRNAME)
    found = {}
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return found
    for name in names:
        if name == series.COVER or not name.endswith(".patch"):
            continue
        with open(os.path.join(folder, name), encoding="utf-8",
                  errors="replace") as f:
            text = f.read()
        for fd in diff.parse(text, name):
            found.setdefault(series.directory_of(fd.path), name)
    return found


def load(out):
    """The Campaign in convert's output directory out."""
    path = os.path.join(out, "sites.jsonl")
    if not os.path.isfile(path):
        raise KmapconvError("%s has no sites.jsonl; run make convert first "
                            "(with the same SUBSYS, KSRC and OUT)" % out)
    try:
        found = sites.load_jsonl(path)
    except ValueError as e:
        raise KmapconvError("%s is not a sites.jsonl file: %s" % (path, e))
    tree = _kernel_tree_line(out)
    version = re.search(r"\(Linux ([^)]+)\)\s*$", tree)
    return Campaign(out=out, label=tree or os.path.abspath(out),
                    short=version.group(1) if version
                    else os.path.basename(os.path.abspath(out)),
                    sites=found, patches=_patches(out))


# --- counting -----------------------------------------------------------------

def subsystem_of(path):
    """The top-level directory of a file; two levels where the top
    level is only a category (drivers/scsi, arch/x86, sound/soc)."""
    parts = os.path.normpath(path).split("/")[:-1]
    if not parts:
        return TOP
    return "/".join(parts[:SUBSYSTEM_DEPTH.get(parts[0], 1)])


def directory_of(path):
    return series.directory_of(path) or TOP


def tally(site_list, key):
    """{key(file): Counter of sites, classes, actions; and its files}."""
    rows = {}
    for s in site_list:
        row = rows.setdefault(key(s["file"]), {"count": Counter(),
                                               "files": set()})
        row["count"]["sites"] += 1
        row["count"][s["class"]] += 1
        row["count"][s["action"]] += 1
        row["files"].add(s["file"])
    return rows


def page_name(directory):
    """OUT/dashboard/<name>: the directory, made a safe file name."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", directory.replace("/", "--"))
    digest = hashlib.sha256(directory.encode()).hexdigest()[:6]
    return "dir-%s-%s.html" % (safe.strip("-.") or "top", digest)


# --- maintainers ----------------------------------------------------------------

def maintainers(answers, by_dir, jobs):
    """{directory: (people, lists)} for the files with sites in each
    directory ({directory: sites}), from get_maintainer.pl (cached)."""
    if answers is None or not by_dir:
        return {}
    asked = sorted(by_dir)
    scratch = tempfile.mkdtemp(prefix="kmapconv-dashboard-")
    try:
        found = answers.for_paths(
            [{s["file"] for s in by_dir[d]} for d in asked], jobs, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return dict(zip(asked, found))


def _who(entry):
    if not entry:
        return "&ndash;"
    people, lists = entry
    items = ['<li data-role="%s">%s <small>(%s)</small></li>'
             % (escape(role), escape(name), escape(role))
             for name, role in people]
    items += ['<li data-role="list">%s</li>' % escape(name)
              for name in lists]
    return "<ul>%s</ul>" % "".join(items)


# --- HTML ---------------------------------------------------------------------

def _page(title, body):
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
            "<meta charset=\"utf-8\">\n<title>%s</title>\n"
            "<style>%s</style>\n</head>\n<body>\n%s\n</body>\n</html>\n"
            % (escape(title), STYLE, body))


def _num(col, value):
    return '<td class="n" data-col="%s">%d</td>' % (col, value)


def _count_cells(count):
    return "".join(_num(c, count.get(c, 0))
                   for c in ("sites",) + CLASSES + ACTIONS)


def _count_heads():
    return "".join("<th>%s</th>" % escape(c)
                   for c in ("sites",) + CLASSES + ACTIONS)


def _summary(campaign):
    count = Counter()
    for s in campaign.sites:
        count[s["class"]] += 1
        count[s["action"]] += 1
    files = len({s["file"] for s in campaign.sites})
    return ('<p class="summary" id="summary" data-sites="%d" data-files="%d">'
            "%d sites in %d files: %s; %s.</p>"
            % (len(campaign.sites), files, len(campaign.sites), files,
               ", ".join("%s %d" % (c, count[c]) for c in CLASSES),
               ", ".join("%s %d" % (a, count[a]) for a in ACTIONS)))


def _subsystem_section(campaign):
    rows = tally(campaign.sites, subsystem_of)
    names = sorted(rows)
    chart_rows = [(n, rows[n]["count"]) for n in names]
    out = ["<h2>Per subsystem</h2>",
           svgchart.stacked_bars("Sites by action per subsystem", chart_rows,
                                 ACTIONS, ACTION_COLOURS, "chart-actions"),
           svgchart.stacked_bars("Sites by class per subsystem", chart_rows,
                                 CLASSES, CLASS_COLOURS, "chart-classes"),
           '<table id="subsystems"><tr><th>subsystem</th><th>files</th>%s'
           "</tr>" % _count_heads()]
    for n in names:
        out.append('<tr data-subsystem="%s"><td>%s</td>%s%s</tr>'
                   % (escape(n), escape(n), _num("files",
                                                 len(rows[n]["files"])),
                      _count_cells(rows[n]["count"])))
    out.append("</table>")
    return out


def _directory_section(campaign, people, prefix):
    rows = tally(campaign.sites, directory_of)
    biggest = max([r["count"]["sites"] for r in rows.values()] + [1])
    out = ["<h2>Per directory</h2>",
           '<table id="directories"><tr><th>directory</th><th>subsystem'
           "</th>%s<th>by action</th><th>patch</th><th>maintainers and "
           "lists</th></tr>" % _count_heads()]
    for d in sorted(rows):
        count = rows[d]["count"]
        patch = campaign.patches.get("" if d == TOP else d)
        link = ('<a href="%s%s/%s">%s</a>' % (prefix, series.DIRNAME,
                                              escape(patch), escape(patch))
                if patch else "&ndash;")
        bar = svgchart.stacked_bars("%s by action" % d, [(d, count)],
                                    ACTIONS, ACTION_COLOURS,
                                    "bar-" + page_name(d)[:-5],
                                    biggest=biggest, compact=True)
        out.append(
            '<tr data-dir="%s"><td><a href="%s%s/%s">%s</a></td><td>%s</td>'
            '%s<td>%s</td><td class="patch">%s</td><td class="who">%s</td>'
            "</tr>" % (escape(d), prefix, PAGES, page_name(d), escape(d),
                       escape(subsystem_of(d + "/-") if d != TOP else TOP),
                       _count_cells(count), bar, link, _who(people.get(d))))
    out.append("</table>")
    return out


def _compare_section(base, other):
    """What is left in other, directory by directory, next to base."""
    if base.short == other.short:
        # Two trees of one version: say which is which.
        base.short, other.short = ("%s (OUT)" % base.short,
                                   "%s (COMPARE)" % other.short)
    mine = tally(base.sites, directory_of)
    theirs = tally(other.sites, directory_of)
    subs_mine = tally(base.sites, subsystem_of)
    subs_theirs = tally(other.sites, subsystem_of)
    chart_rows = []
    for n in sorted(set(subs_mine) | set(subs_theirs)):
        for campaign, rows in ((base, subs_mine), (other, subs_theirs)):
            chart_rows.append(("%s %s" % (n, campaign.short),
                               rows.get(n, {"count": Counter()})["count"]))
    left = len(other.sites)
    gone = sorted(set(mine) - set(theirs))
    out = ['<h2 id="compare">Compared with %s</h2>' % escape(other.label),
           '<p class="summary" id="compare-summary" data-base="%d" '
           'data-other="%d">%s: %d sites; %s: %d sites left. %d '
           "directories have none left.</p>"
           % (len(base.sites), left, escape(base.short), len(base.sites),
              escape(other.short), left, len(gone)),
           svgchart.stacked_bars("Sites by action per subsystem, %s and %s"
                                 % (base.short, other.short), chart_rows,
                                 ACTIONS, ACTION_COLOURS, "chart-compare"),
           '<table id="comparison"><tr><th>directory</th>'
           + "".join("<th>%s %s</th>" % (escape(c.short), a)
                     for c in (base, other)
                     for a in ("sites",) + ACTIONS)
           + "<th>change</th></tr>"]
    for d in sorted(set(mine) | set(theirs)):
        a = mine.get(d, {"count": Counter()})["count"]
        b = theirs.get(d, {"count": Counter()})["count"]
        cells = "".join(_num("%s-%s" % (side, col), cnt.get(col, 0))
                        for side, cnt in (("base", a), ("other", b))
                        for col in ("sites",) + ACTIONS)
        out.append('<tr data-dir="%s"><td>%s</td>%s%s</tr>'
                   % (escape(d), escape(d), cells,
                      _num("change", b.get("sites", 0) - a.get("sites", 0))))
    out.append("</table>")
    return out


def _reasons(s):
    items = ["<li>%s</li>" % escape(r) for r in s["reasons"]]
    items += ["<li>rewrite: %s</li>" % escape(r)
              for r in s.get("rewrite") or []]
    if s.get("suggestion"):
        items.append("<li>suggestion: %s</li>" % escape(s["suggestion"]))
    return "<ul>%s</ul>" % "".join(items)


def directory_page(campaign, directory, site_list):
    patch = campaign.patches.get("" if directory == TOP else directory)
    body = ['<p><a href="../%s">&larr; all directories</a></p>' % INDEX,
            "<h1>%s</h1>" % escape(directory),
            "<p>%s%s</p>" % (escape(campaign.label), (
                ' &middot; patch: <a href="../%s/%s">%s</a>'
                % (series.DIRNAME, escape(patch), escape(patch))
                if patch else "")),
            '<table id="sites"><tr><th>site</th><th>function</th><th>api'
            "</th><th>class</th><th>action</th><th>reasons</th></tr>"]
    for s in site_list:
        body.append(
            '<tr data-file="%s" data-line="%d"><td>%s:%d</td><td>%s</td>'
            '<td>%s</td><td data-col="class">%s</td>'
            '<td data-col="action">%s</td><td>%s</td></tr>'
            % (escape(s["file"]), s["line"], escape(s["file"]), s["line"],
               escape(s["function"]), escape(s["api"]), escape(s["class"]),
               escape(s["action"]), _reasons(s)))
    body.append("</table>")
    return _page("kmap sites in %s" % directory, "\n".join(body))


def render(campaign, subsys, answers=None, other=None, jobs=1):
    """{name: text} for OUT: index.html and the dashboard/ pages."""
    by_dir = {}
    for s in campaign.sites:
        by_dir.setdefault(directory_of(s["file"]), []).append(s)
    people = maintainers(answers, by_dir, jobs)
    area = "the whole tree" if subsys == "." else subsys + "/"
    body = ["<h1>kmap() &rarr; kmap_local_page(): %s in %s</h1>"
            % (escape(area), escape(campaign.label)),
            _summary(campaign)]
    body += _subsystem_section(campaign)
    body += _directory_section(campaign, people, "")
    if other is not None:
        body += _compare_section(campaign, other)
    body.append("<footer><p>kmapconv %s &middot; from %s/sites.jsonl</p>"
                "</footer>" % (__version__, escape(campaign.out)))
    pages = {page_name(d): directory_page(campaign, d, by_dir[d])
             for d in sorted(by_dir)}
    return {INDEX: _page("kmap campaign: %s" % area, "\n".join(body)),
            PAGES: pages}


# --- the command ----------------------------------------------------------------

def other_campaign(arg, subsys, jobs, timeout, cocci):
    """COMPARE: a convert output directory as it is, or a tree (or
    tarball) converted now into the cache (cached results make a rerun
    cheap)."""
    if os.path.isfile(os.path.join(arg, "sites.jsonl")):
        return load(arg)
    if not (os.path.isdir(arg) or ksrc.is_tarball(arg)):
        raise KmapconvError("COMPARE %s is neither a convert output "
                            "directory (with sites.jsonl) nor a kernel tree"
                            % arg)
    target = convert.prepare(arg, subsys)
    key = hashlib.sha256(("%s\0%s" % (target.ksrc, target.subsys))
                         .encode()).hexdigest()[:16]
    out = os.path.join(settings.current().cache_dir or ksrc.cache_dir(),
                       "dashboard-compare", key)
    convert.convert(target, out, jobs, timeout, cocci)
    return load(out)


def dashboard(target, out, answers, other=None, jobs=1):
    """Write OUT/index.html and OUT/dashboard/ for convert's OUT."""
    outdir.check(out, target.ksrc)
    campaign = load(out)
    files = render(campaign, target.subsys, answers, other, jobs)
    outdir.publish(out, files)
    return campaign
