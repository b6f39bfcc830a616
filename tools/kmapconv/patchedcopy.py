# SPDX-License-Identifier: GPL-2.0-only
"""A patched view of KSRC, cheap enough to make once per VERIFY round.

kmap-audit reads a file together with every header it includes and the
directory Makefiles that give its flags, so it needs a whole tree; the
patch changes a few dozen files of it.  The view is a link farm
(kerneltree.linkfarm) whose patched files are private copies, patched
with GNU patch; KSRC stays as it was.
"""

from kerneltree.linkfarm import FarmError, LinkFarm

from . import run, verify
from .errors import KmapconvError


def make(ksrc, view, patch_file):
    """Make directory view (it must not exist yet): KSRC with patch_file
    applied.

    Returns the paths (relative to the tree) the patch changes.
    """
    with open(patch_file, encoding="utf-8", errors="surrogateescape") as f:
        files = verify.parse_patch(f.read(), patch_file)
    paths = sorted({p for pair in files for p in pair if p})
    try:
        farm = LinkFarm(ksrc, view)
        for path in paths:
            farm.own(path)
        farm.retarget_compdb()
    except (FarmError, OSError) as e:
        raise KmapconvError("cannot make the patched view %s: %s"
                            % (view, e))
    if paths:
        run.apply_patch(patch_file, view)
    return paths
