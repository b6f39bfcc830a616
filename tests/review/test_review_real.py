# SPDX-License-Identifier: GPL-2.0-only
"""The review on real kernel code, built at test time.

Debian's linux-source-6.1 and -6.12 are unpacked (only a few fs/
directories, shared with the converter's integration tests; the whole
6.1 tree when the LIFO audit is there, which needs real headers).  The
functions upstream converted between them (kmapconv's eval definition)
become patches against 6.1 that put in the 6.12 definition.

- All of them together review clean: no error-level finding.
- Seeded defects, each in one function chosen by shape (never by name):
  a cross-thread kmap() converted; unmaps swapped; an unmap dropped on
  an error path; kunmap_local(page).  Each is flagged with the right
  kind on the right line.  The last three are the LIFO audit's; without
  it the review must say the audit was not available (and the test is
  then skipped, saying so).
"""

import json
import os
import re
from pathlib import Path

import pytest

import reviewlib as rl
from reviewlib import findings, run_review
from testlib import TARBALL_61, TARBALL_612, cannot_run, needs
from kmapconv import ksrc
from kerneltree import audit as audit_client
from kerneltree import csource
from kmapreview import classify, upstream

# The directories the converter's integration tests unpack (same cache).
DIRS = ["fs/ceph", "fs/nilfs2", "fs/qnx6", "fs/erofs", "fs/sysv",
        "fs/minix", "fs/ecryptfs", "fs/jbd2"]

pytestmark = [pytest.mark.real_kernel, needs(
    os.path.isfile(TARBALL_61) and os.path.isfile(TARBALL_612),
    "linux-source-6.1 and linux-source-6.12 needed")]

AUDIT_WHY = audit_client.available()
AUDIT = not AUDIT_WHY


@pytest.fixture(scope="module")
def trees():
    """(6.1, 6.12): the audit takes its compile flags from a configured
    whole tree; without it a few directories are enough."""
    old = ksrc.unpack(TARBALL_61) if AUDIT else \
        ksrc.unpack_subset(TARBALL_61, None, DIRS)
    return old, ksrc.unpack_subset(TARBALL_612, None, DIRS)


@pytest.fixture(scope="module")
def converted(trees):
    old, new = trees
    funcs = upstream.converted_functions(old, new, DIRS)
    assert len(funcs) >= 40, funcs
    return funcs


def review(tmp_path, tree, patch_text, name="p"):
    patch = tmp_path / ("%s.patch" % name)
    patch.write_text(patch_text)
    out = tmp_path / ("out-%s" % name)
    res = run_review("--patch", patch, "--ksrc", tree, "--out", out,
                     "--jobs", "2")
    assert res.returncode in (0, 1), res.stderr
    return res, out, json.loads((out / "review.json").read_text())


@pytest.fixture(scope="module")
def clean(trees, converted, tmp_path_factory):
    """The review of all upstream conversions at once."""
    old, new = trees
    text, posts, done = upstream.build(old, new, converted)
    res, out, r = review(tmp_path_factory.mktemp("clean"), old, text)
    return done, posts, res, out, r


def test_upstream_conversions_review_clean(converted, clean):
    done, posts, res, out, r = clean
    # Only bodies calling mapping helpers 6.1 lacks are left out.
    assert len(done) >= len(converted) - 5 and len(posts) >= 15
    errors = [f for f in r["findings"] if f["severity"] == "error"]
    assert errors == [] and res.returncode == 0
    # parse-error and not-audited: code the audit could not check under
    # its configurations (a warning: unproven, not wrong).
    kinds = {f["kind"] for f in r["findings"]}
    assert kinds <= {"converted-site", "nesting-sensitive-converted",
                     "convertible-site", "parse-error", "not-audited"}, kinds
    # Every converted function's legacy sites were judged.
    judged = {(f["file"], f["function"]) for f in r["findings"]
              if f["kind"] in ("converted-site",
                               "nesting-sensitive-converted")}
    assert judged >= {(p, n) for p, n in done if p.endswith(".c")}
    assert r["stats"]["converted"] >= len(done)
    assert (r["audit"]["status"] == "ran") == bool(AUDIT)


# -- seeding defects ---------------------------------------------------------

def _function(text, name):
    (f,) = [f for f in csource.functions(text) if f.name == name]
    return f


def _candidates(converted, posts, shape, unparsed):
    """(maps in the function, path, name, seed) for each converted
    function that shape() can seed, fewest maps first; not in the files
    the audit could not parse."""
    found = []
    for path, name in converted:
        if path not in posts or not path.endswith(".c") or path in unparsed:
            continue
        text = posts[path]
        f = _function(text, name)
        lines = text.split("\n")
        seed = shape(lines, f)
        if seed:
            body = "\n".join(lines[f.start - 1:f.end])
            found.append((body.count("kmap_local_"), path, name, seed))
    return sorted(found)


def _swap_shape(lines, f):
    """Two adjacent unmaps of different addresses: swap them."""
    for n in range(f.start, f.end):
        a, b = lines[n - 1].strip(), lines[n].strip()
        if a.startswith("kunmap_local(") and b.startswith("kunmap_local(") \
                and a != b:
            return n, n + 1
    return None


def _error_path_shape(lines, f):
    """An unmap right before a goto/return, whose address is unmapped on
    another path too: drop it."""
    body = [l.strip() for l in lines[f.start - 1:f.end]]
    for n in range(f.start, f.end):
        line = lines[n - 1].strip()
        if line.startswith("kunmap_local(") and body.count(line) >= 2 and \
                re.match(r"\s*(goto|return)\b", lines[n]):
            return n, n + 1         # the unmap, the exit after it
    return None


_MAP_RE = re.compile(r"^\s*(\w+)\s*=\s*kmap_local_page\((.+)\);\s*$")


def _unmap_page_shape(lines, f):
    """x = kmap_local_page(page) ... kunmap_local(x): unmap the page."""
    for n in range(f.start, f.end + 1):
        m = _MAP_RE.match(lines[n - 1])
        if not m:
            continue
        for k in range(n + 1, f.end + 1):
            if lines[k - 1].strip() == "kunmap_local(%s);" % m.group(1):
                return n, k, m.group(2)
    return None


def _seeded(trees, clean, shape):
    old_tree, new = trees
    done, posts, _res, _out, r = clean
    unparsed = {f["file"] for f in r["findings"]
                if f["kind"] == "parse-error"}
    found = _candidates(done, posts, shape, unparsed)
    assert found, "no upstream function has the shape to seed"
    _maps, path, name, _seed = found[0]
    # The patch replaces only the seeded function.
    _text, posts, _done = upstream.build(old_tree, new, [(path, name)])
    lines = posts[path].split("\n")
    seed = shape(lines, _function(posts[path], name))
    old = (Path(old_tree) / path).read_text()
    return path, name, seed, old, lines


def _audit_verdict(tmp_path, tree, patch, name, kind, lines):
    res, out, r = review(tmp_path, tree, patch, name)
    if r["audit"]["status"] != "ran":
        # The review must not pass silently without its audit.
        text = (out / "review.txt").read_text()
        assert "LIFO audit" in text and "Reviewed-by:" not in text
        assert "Ready for a Reviewed-by" not in text
        assert "not checked" in " ".join(text.split())
        cannot_run("LIFO audit not available: %s" % r["audit"]["detail"])
    assert res.returncode == 1
    hits = [f for f in r["findings"] if f["kind"] == kind]
    assert hits and hits[0]["severity"] == "error", r["findings"]
    assert {f["line"] for f in hits} & set(lines), (hits, lines)
    return r


def test_cross_thread_converted(trees, tmp_path):
    tree, _new = trees
    files = sorted(str(p.relative_to(tree)) for p in
                   (Path(tree) / "fs" / "ceph").glob("*.c")
                   if "kmap(" in p.read_text(errors="replace"))
    pre, _post = classify.classify(tree, files, tree, [], 2, 120)
    sites = sorted((s["file"], s["line"]) for f in files
                   for s in pre.sites.get(f, [])
                   if s["class"] == "cross-thread" and s["api"] == "kmap")
    assert sites, "no cross-thread kmap() site found"
    path, line = sites[0]
    old = (Path(tree) / path).read_text()
    lines = old.split("\n")
    assert "kmap(" in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace("kmap(", "kmap_local_page(", 1)
    res, out, r = review(tmp_path, tree, rl.unified(path, old,
                                                    "\n".join(lines)))
    assert res.returncode == 1
    assert ("error", "cross-thread-converted", path, line) in findings(out)


def test_unmaps_swapped(trees, clean, tmp_path):
    path, name, (a, b), old, lines = _seeded(trees, clean, _swap_shape)
    lines[a - 1], lines[b - 1] = lines[b - 1], lines[a - 1]
    _audit_verdict(tmp_path, trees[0], rl.unified(path, old,
                                                  "\n".join(lines)),
                   "swap", "lifo-order", {a, b})


def test_unmap_dropped_on_error_path(trees, clean, tmp_path):
    path, name, (unmap, exit_line), old, lines = _seeded(
        trees, clean, _error_path_shape)
    del lines[unmap - 1]
    func = _function("\n".join(lines), name)
    # The leak is reported at the path's exit (now where the unmap was)
    # or at the map it leaks.
    maps = {n for n in range(func.start, func.end + 1)
            if "kmap_local_page(" in lines[n - 1]}
    _audit_verdict(tmp_path, trees[0], rl.unified(path, old,
                                                  "\n".join(lines)),
                   "drop", "leak", {unmap} | maps)


def test_kunmap_local_of_the_page(trees, clean, tmp_path):
    path, name, (_map, unmap, page), old, lines = _seeded(
        trees, clean, _unmap_page_shape)
    lines[unmap - 1] = re.sub(r"kunmap_local\(.*\);",
                              "kunmap_local(%s);" % page, lines[unmap - 1])
    # The review's own check finds this one, with or without the audit.
    res, out, r = review(tmp_path, trees[0], rl.unified(
        path, old, "\n".join(lines)), "page")
    assert res.returncode == 1
    assert ("error", "unmap-arg", path, unmap) in findings(out)
