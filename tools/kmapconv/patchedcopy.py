# SPDX-License-Identifier: GPL-2.0-only
"""A patched view of KSRC, cheap enough to make once per VERIFY round.

kmap-audit reads a file together with every header it includes and the
directory Makefiles that give its flags, so it needs a whole tree; the
patch changes a few dozen files of it.  A full copy (even hard links,
as verify's buildtree.py makes) costs a walk of the 75000 files of a
kernel tree.  This view is a directory of symbolic links into KSRC
instead: the top level links to KSRC's entries, and only the
directories on the way to a patched file are real directories (whose
other entries are links again).  The patched files themselves are
private copies, patched with GNU patch.  Nothing is ever written
through a link, so KSRC stays as it was.

A compile_commands.json that names KSRC's paths is rewritten to name
the view's, so that the audit finds the compile command of a patched
file under its new path.
"""

import json
import os
import shutil

from . import run, verify
from .errors import KmapconvError

COMPDB = "compile_commands.json"


def _link_entries(ksrc, view, rel):
    """view/rel becomes a real directory of links to ksrc/rel's entries."""
    here = os.path.join(view, rel) if rel else view
    if os.path.islink(here):
        os.unlink(here)
    if not os.path.lexists(here):
        os.mkdir(here)
        for name in os.listdir(os.path.join(ksrc, rel)):
            os.symlink(os.path.join(ksrc, rel, name),
                       os.path.join(here, name))


def _own(ksrc, view, path):
    """Replace the link view/path by a private copy of ksrc/path (and
    make each directory on the way a real one)."""
    parts = path.split("/")
    for depth in range(len(parts)):
        rel = "/".join(parts[:depth])
        if depth and not os.path.isdir(os.path.join(ksrc, rel)):
            raise KmapconvError("the patch names %s, which KSRC lacks"
                                % path)
        _link_entries(ksrc, view, rel)
    dst = os.path.join(view, path)
    if os.path.islink(dst):
        os.unlink(dst)
    src = os.path.join(ksrc, path)
    if os.path.isfile(src):
        shutil.copyfile(src, dst)


def _retarget_compdb(ksrc, view):
    """A compile_commands.json naming ksrc's paths, pointed at view."""
    link = os.path.join(view, COMPDB)
    if not os.path.islink(link):
        return
    try:
        with open(link, encoding="utf-8") as f:
            text = f.read()
        entries = json.loads(text)
    except (OSError, ValueError):
        return          # the audit reports an unreadable database
    prefixes = sorted({ksrc, os.path.realpath(ksrc)}, key=len, reverse=True)

    def moved(value):
        if isinstance(value, str):
            for prefix in prefixes:
                value = value.replace(prefix + "/", view + "/")
                if value == prefix:
                    value = view
            return value
        if isinstance(value, list):
            return [moved(v) for v in value]
        if isinstance(value, dict):
            return {k: moved(v) for k, v in value.items()}
        return value

    os.unlink(link)
    with open(link, "w", encoding="utf-8") as f:
        json.dump(moved(entries), f)


def make(ksrc, view, patch_file):
    """Make directory view (it must not exist yet): KSRC with patch_file
    applied.

    Returns the paths (relative to the tree) the patch changes.
    """
    with open(patch_file, encoding="utf-8", errors="surrogateescape") as f:
        files = verify.parse_patch(f.read(), patch_file)
    paths = sorted({p for pair in files for p in pair if p})
    try:
        _link_entries(ksrc, view, "")
        for path in paths:
            _own(ksrc, view, path)
        _retarget_compdb(ksrc, view)
    except OSError as e:
        raise KmapconvError("cannot make the patched view %s: %s"
                            % (view, e))
    if paths:
        run.apply_patch(patch_file, view)
    return paths
