# SPDX-License-Identifier: GPL-2.0-only
"""make dashboard, rendered by a real browser.

convert runs on a few real 6.1 files (with the tree's own MAINTAINERS
and get_maintainer.pl), then the dashboard is built with a comparison
against the same tree with the patch applied (like 6.12 after upstream
converted what we rewrite: what is left is what we did not).  Headless
Chromium (Debian's chromium) loads the pages; the test reads the DOM it
dumps and checks every table cell and chart bar against sites.jsonl, and
keeps a screenshot, whose pixels must show the bars' colours.  The
screenshot is kept under out/test-artifacts/ (path printed).
"""

import json
import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest

from kmapconv import ksrc, series
from test_narrow import REAL_FILES, TOP
from testlib import TARBALL_61 as TARBALL
from testlib import cannot_run, run_module

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "out" / "test-artifacts"
# Beyond test_series' files (all rewritten): small directories with
# sites left to a human, so the comparison has something left.
MORE = ["fs/qnx6", "fs/freevxfs"]
CHROMIUM = shutil.which("chromium")
CLASSES = ("thread-local", "nesting-sensitive", "cross-thread")
ACTIONS = ("rewritten", "manual", "kept")
ACTION_COLOURS = {"rewritten": (0x15, 0x65, 0xc0), "manual": (0xef, 0x6c, 0),
                  "kept": (0x6a, 0x1b, 0x9a)}


def kmapconv(*args):
    proc = run_module("kmapconv", *args)
    assert proc.returncode == 0, proc.stderr
    return proc


def chromium(*args):
    proc = subprocess.run([CHROMIUM, "--headless", "--no-sandbox",
                           "--disable-gpu", "--disable-dev-shm-usage",
                           "--hide-scrollbars"]
                          + [str(a) for a in args], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout


class Dom(HTMLParser):
    """The elements of a dumped DOM: (tag, attrs, text inside)."""

    def __init__(self, text):
        super().__init__()
        self.elements, self.open = [], []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        element = [tag, dict(attrs), ""]
        self.elements.append(element)
        if tag not in ("meta", "br", "img", "input", "link"):
            self.open.append(element)

    def handle_startendtag(self, tag, attrs):
        self.elements.append([tag, dict(attrs), ""])

    def handle_endtag(self, tag):
        while self.open:
            if self.open.pop()[0] == tag:
                break

    def handle_data(self, data):
        for element in self.open:
            element[2] += data

    def find(self, tag, **attrs):
        return [(a, text) for t, a, text in self.elements if t == tag and
                all(a.get(k.replace("_", "-")) == v
                    for k, v in attrs.items())]


def rows_of(dom, table_id, text=False):
    """Each <tr> of a table with its cells' data-col -> number (with
    text: the row's attributes and its text)."""
    inside, rows = False, []
    for tag, attrs, inner in dom.elements:
        if tag == "table":
            inside = attrs.get("id") == table_id
        elif inside and tag == "tr":
            rows.append((attrs, inner if text else {}))
        elif inside and tag == "td" and "data-col" in attrs and rows \
                and not text:
            rows[-1][1][attrs["data-col"]] = int(inner.strip())
    return [r for r in rows if r[1]]


def png_pixels(path):
    """(width, height, rows of RGB tuples) of an 8-bit RGB/RGBA PNG."""
    data = Path(path).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    assert depth == 8 and colour in (2, 6)
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 0xff
            elif kind == 2:
                line[i] = (line[i] + b) & 0xff
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 0xff
        rows.append([tuple(line[x * bpp:x * bpp + 3])
                     for x in range(width)])
        prev = line
    return width, height, rows


def counts(site_list, key):
    out = {}
    for s in site_list:
        c = out.setdefault(key(s["file"]), Counter())
        c["sites"] += 1
        c[s["class"]] += 1
        c[s["action"]] += 1
    return out


def subsystem(path):
    parts = path.split("/")[:-1]
    if not parts:
        return "(top level)"
    return "/".join(parts[:2 if parts[0] in ("drivers", "arch", "sound")
                          else 1])


def directory(path):
    return series.directory_of(path) or "(top level)"


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if CHROMIUM is None:
        cannot_run("chromium missing: apt-get install chromium")
    if not os.path.isfile(TARBALL):
        cannot_run("linux-source-6.1 not installed")
    tree = Path(ksrc.unpack_subset(TARBALL, None, TOP + REAL_FILES + MORE))
    tmp = tmp_path_factory.mktemp("dashboard")
    cache = tmp / "cache"
    out = tmp / "out"
    kmapconv("convert", "--no-verify", "--ksrc", tree, "--subsys", ".", "--out", out,
             "--cache-dir", cache)
    # "Upstream": the same tree with our patch applied.
    later = tmp / "later"
    shutil.copytree(tree, later, symlinks=True)
    subprocess.run(["patch", "-p1", "--batch", "-d", str(later), "-i",
                    str(out / "kmap-local.patch")], check=True,
                   capture_output=True)
    kmapconv("dashboard", "--ksrc", tree, "--subsys", ".", "--out", out,
             "--compare", later, "--cache-dir", cache)
    assert len(list((cache / "dashboard-compare").iterdir())) == 1
    sites = [json.loads(l) for l in (out / "sites.jsonl").open()]
    dom = Dom(chromium("--dump-dom", (out / "index.html").as_uri()))
    return out, sites, dom


def test_tables_show_the_counts(built):
    out, sites, dom = built
    assert len(sites) >= 4
    [(summary, _)] = dom.find("p", id="summary")
    assert int(summary["data-sites"]) == len(sites)

    want = counts(sites, subsystem)
    got = {a["data-subsystem"]: cells for a, cells in
           rows_of(dom, "subsystems")}
    assert set(got) == set(want) == {"fs", "drivers/md", "mm"}
    assert sum(c["manual"] for c in want.values()) >= 2
    for name, cells in got.items():
        for col in ("sites",) + CLASSES + ACTIONS:
            assert cells[col] == want[name][col], (name, col)
        assert cells["files"] == len({s["file"] for s in sites
                                      if subsystem(s["file"]) == name})

    want = counts(sites, directory)
    got = {a["data-dir"]: cells for a, cells in rows_of(dom, "directories")}
    assert set(got) == set(want)
    for name, cells in got.items():
        for col in ("sites",) + CLASSES + ACTIONS:
            assert cells[col] == want[name][col], (name, col)


def test_charts_draw_the_counts(built):
    _, sites, dom = built
    want = counts(sites, subsystem)
    for chart, parts in (("chart-actions", ACTIONS),
                         ("chart-classes", CLASSES)):
        [(svg, _)] = dom.find("svg", id=chart)
        scale = float(svg["data-scale"])
        drawn = {}
        in_chart = False
        for tag, attrs, _ in dom.elements:
            if tag == "svg":
                in_chart = attrs.get("id") == chart
            elif in_chart and tag == "rect" and "data-part" in attrs:
                value = int(attrs["data-value"])
                drawn[attrs["data-row"], attrs["data-part"]] = value
                assert abs(float(attrs["width"]) - value * scale) < 0.01
        assert drawn == {(n, p): c[p] for n, c in want.items()
                         for p in parts if c[p]}
    # The biggest subsystem fills the chart's width.
    biggest = max(c["sites"] for c in want.values())
    [(svg, _)] = dom.find("svg", id="chart-actions")
    assert abs(float(svg["data-scale"]) * biggest - 480) < 0.01


def test_maintainers_patches_and_reasons(built):
    out, sites, dom = built
    rows = {a["data-dir"]: t for a, t in rows_of(dom, "directories", True)
            if "data-dir" in a}
    # From the 6.1 tree's MAINTAINERS, via get_maintainer.pl.
    assert "linux-nilfs@vger.kernel.org" in rows["fs/nilfs2"]
    assert "Ryusuke Konishi" in rows["fs/nilfs2"]
    assert "dm-devel@redhat.com" in rows["drivers/md"]
    lists = [t for a, t in dom.find("li") if a.get("data-role") == "list"]
    assert "linux-nilfs@vger.kernel.org" in lists

    links = [a["href"] for a, _ in dom.find("a")]
    patches = sorted(p for p in links if p.startswith("series/"))
    assert patches and all((out / p).is_file() for p in patches)
    assert len(patches) == len(os.listdir(out / "series")) - 1   # - cover

    # Every directory's page lists its sites with their reasons.
    pages = [p for p in links if p.startswith("dashboard/")]
    assert len(pages) == len(counts(sites, directory))
    for page in pages:
        sub = Dom(chromium("--dump-dom", (out / page).as_uri()))
        shown = [(a["data-file"], int(a["data-line"]), text)
                 for a, text in sub.find("tr") if "data-file" in a]
        mine = [s for s in sites
                if page == "dashboard/" + _page_name(directory(s["file"]))]
        assert [(f, l) for f, l, _ in shown] == [(s["file"], s["line"])
                                                for s in mine]
        for (_, _, text), s in zip(shown, mine):
            for reason in s["reasons"]:
                assert " ".join(reason.split()) in " ".join(text.split())


def _page_name(d):
    from kmapconv import dashboard
    return dashboard.page_name(d)


def test_comparison_shows_what_is_left(built):
    out, sites, dom = built
    base = counts(sites, directory)
    rows = {a["data-dir"]: cells for a, cells in rows_of(dom, "comparison")}
    assert set(rows) == set(base)
    left = 0
    for name, cells in rows.items():
        for col in ("sites",) + ACTIONS:
            assert cells["base-" + col] == base[name][col]
        # Upstream took our patch: what is left is what we did not
        # rewrite, and none of it is rewritable any more.
        assert cells["other-sites"] == base[name]["manual"] + \
            base[name]["kept"]
        assert cells["change"] == cells["other-sites"] - cells["base-sites"]
        left += cells["other-sites"]
    [(summary, _)] = dom.find("p", id="compare-summary")
    assert int(summary["data-other"]) == left
    assert int(summary["data-base"]) == len(sites)


def test_screenshot_shows_the_bars(built):
    out, sites, _ = built
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "dashboard.png"
    chromium("--window-size=1280,1600", "--screenshot=%s" % shot,
             (out / "index.html").as_uri())
    print("\ndashboard screenshot: %s" % shot)
    width, height, rows = png_pixels(shot)
    assert (width, height) == (1280, 1600)
    seen = Counter(p for row in rows for p in row)
    total = Counter(s["action"] for s in sites)
    # Beyond the legends (two charts have one: 12 x 12 pixels each).
    legends = 2 * 12 * 12
    for action, colour in ACTION_COLOURS.items():
        assert (seen[colour] > legends) == (total[action] > 0), action
