# SPDX-License-Identifier: GPL-2.0-only
"""The reduced views spatch parses instead of the files: each file with
the functions that cannot matter to the semantic patch blanked
(reduce.py), and spatch's diffs of them rebased onto the real files.
"""

import os

from . import pool, reduce, run

def read_text(path):
    with open(path, encoding="utf-8", errors="surrogateescape",
              newline="") as f:
        return f.read()


def write_text(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", errors="surrogateescape",
              newline="") as f:
        f.write(text)


def _focus_one(job):
    """focus_view() of one file: (path, bytes written) or None."""
    ksrc, rel, view, whole = job
    try:
        text = read_text(os.path.join(ksrc, rel))
    except OSError:
        return None  # spatch reports it, as it would without a view
    reduced = text if whole else reduce.reduce(text)
    write_text(os.path.join(view, rel), reduced)
    # Blanked lines are nearly free: weigh by what is left.
    return rel, len(reduced) - reduced.count("\n")


def focus_view(ksrc, paths, view, jobs=1, whole=()):
    """Write reduce.reduce() of each of paths (relative to ksrc) under
    view, at the same relative path, with up to jobs processes (the
    cores are idle until the batches start); the paths in whole as they
    are.  Returns {path: bytes written}: what spatch will parse, to
    weigh the batches with."""
    done = pool.map_files(_focus_one, [(ksrc, rel, view, rel in whole)
                                       for rel in paths], jobs)
    return dict(d for d in done if d is not None)


def focus_headers(ksrc, headers):
    """headers ({file: its context headers}) without the headers that do
    not name the mapping API: nothing in them can pair with a site."""
    named = {}
    for h in {h for hs in headers.values() for h in hs}:
        try:
            named[h] = reduce.mentions_api(read_text(os.path.join(ksrc, h)))
        except OSError:
            named[h] = True
    return {f: [h for h in hs if named[h]] for f, hs in headers.items()}


def rebaser(ksrc, workdir):
    """rebase(path, diff) for _per_file: diff (spatch's section for path,
    made against the reduced text) as the same change to ksrc's file,
    in spatch's format ("diff -u -p a/P b/P" and GNU diff -u -p)."""
    def rebase(path, diff):
        old = os.path.join(ksrc, path)
        new = os.path.join(workdir, path)
        write_text(new, reduce.apply_diff(diff, read_text(old)))
        return "diff -u -p a/%s b/%s\n%s" % (
            path, path, run.diff_u_p(old, new, "a/" + path, "b/" + path))
    return rebase
