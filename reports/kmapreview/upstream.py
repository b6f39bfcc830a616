# SPDX-License-Identifier: GPL-2.0-only
"""Patches made of upstream's own conversions, for the tests and the
bench: real kernel code, built when needed, never stored.

The functions upstream converted between two trees (6.1 and 6.12) are
the converter's definition (kmapconv.evaluate: calls kmap()/
kmap_atomic() in the old tree; in the new one the same file defines
it, it makes a local-mapping call and no legacy one).  A patch against
the old tree replaces each such function's definition by the new one.
"""

import difflib
import os
import re
import shutil
import tempfile

from kmapconv import candidates, evaluate, spatch

from kerneltree import csource
from kerneltree.mapapi import highmem_headers_text
from kerneltree.diff import lines as diff_lines


def converted_functions(old_tree, new_tree, dirs, jobs=2, timeout=120):
    """(file, function) pairs upstream converted under dirs, sorted."""
    files = sorted({f for d in dirs
                    for f in candidates.find(old_tree, d).files})
    lister = spatch.default_cocci(evaluate.LISTER)
    scratch = tempfile.mkdtemp(prefix="kmapreview-upstream-")
    try:
        os.makedirs(os.path.join(scratch, "old"))
        os.makedirs(os.path.join(scratch, "new"))
        old, _ = evaluate.list_calls(old_tree, files, jobs, timeout, lister,
                                     os.path.join(scratch, "old"))
        new_files = [f for f in files
                     if os.path.isfile(os.path.join(new_tree, f))]
        new, new_failed = evaluate.list_calls(
            new_tree, new_files, jobs, timeout, lister,
            os.path.join(scratch, "new"))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return sorted(k for k, calls in old.items()
                  if any(calls.get(n) for n in evaluate.LEGACY)
                  and evaluate.upstream_status(k, new, set(new_files),
                                               new_failed) == "converted")


def _read(tree, path):
    with open(os.path.join(tree, path), encoding="utf-8",
              errors="surrogateescape") as f:
        return f.read()


def _only(funcs, name):
    """The one definition of name, or None when there is none or several
    (#ifdef variants: which one to replace would be a guess)."""
    found = [f for f in funcs if f.name == name]
    return found[0] if len(found) == 1 else None


_MAPPING_CALL_RE = re.compile(r"\b(\w*k(?:un)?map\w*)\s*\(")


def missing_api(old_tree, body):
    """The mapping functions body calls that old_tree's headers lack
    (say, a folio helper added later): such a body is not a valid patch
    against old_tree, and no audit could know what the call does.  An
    empty set when the tree has no headers to check against."""
    known = highmem_headers_text(old_tree)
    if not known:
        return set()
    words = set(re.findall(r"\w+", known))
    return {name for name in _MAPPING_CALL_RE.findall(body)
            if name not in words}


def replace_functions(old_text, new_text, names, keep=lambda body: True):
    """old_text with the definitions of names taken from new_text (those
    keep(body) accepts); the names replaced."""
    old_funcs = csource.functions(old_text)
    new_funcs = csource.functions(new_text)
    old_lines = old_text.split("\n")
    new_lines = new_text.split("\n")
    spans = []
    for name in names:
        a, b = _only(old_funcs, name), _only(new_funcs, name)
        if a and b and keep("\n".join(new_lines[b.start - 1:b.end])):
            spans.append((a, new_lines[b.start - 1:b.end]))
    # Bottom up, so the earlier spans keep their line numbers.
    for func, body in sorted(spans, key=lambda s: -s[0].start):
        old_lines[func.start - 1:func.end] = body
    return "\n".join(old_lines), sorted(f.name for f, _b in spans)


def unified(path, old, new):
    """A -p1 unified diff of one file ("" when equal)."""
    return "".join(difflib.unified_diff(
        diff_lines(old), diff_lines(new), "a/" + path,
        "b/" + path))


def build(old_tree, new_tree, functions):
    """(patch text, {file: post-patch text}, [(file, function)] replaced)
    for the (file, function) pairs given; a function whose new body
    calls mapping functions the old tree lacks is left out."""
    by_file = {}
    for path, name in functions:
        by_file.setdefault(path, []).append(name)
    patch, posts, done = [], {}, []
    for path in sorted(by_file):
        old = _read(old_tree, path)
        new, names = replace_functions(
            old, _read(new_tree, path), by_file[path],
            lambda body: not missing_api(old_tree, body))
        if new == old:
            continue
        posts[path] = new
        done += [(path, n) for n in names]
        patch.append(unified(path, old, new))
    return "".join(patch), posts, done
