# SPDX-License-Identifier: GPL-2.0-only
"""A scratch kernel tree that is KSRC except for a few files.

Copying a kernel tree takes seconds and a gigabyte; the review changes
a handful of files.  A "farm" is a directory whose entries are symbolic
links into KSRC, except along the paths of the files the review writes:
those directories are real (their other entries linked again) and the
files are private copies.  Tools that read the tree (spatch, the audit)
see a complete kernel tree; nothing written into the farm can reach
KSRC, because every written path lies in a real directory of the farm.
"""

import os

from kmapconv.errors import KmapconvError


def _link_entries(src_dir, dest_dir):
    try:
        names = os.listdir(src_dir)
    except FileNotFoundError:
        return                      # a directory only the patch creates
    except OSError as e:
        raise KmapconvError("cannot read %s: %s" % (src_dir, e.strerror))
    for name in names:
        os.symlink(os.path.join(src_dir, name), os.path.join(dest_dir, name))


class Farm:
    def __init__(self, src, dest):
        self.src = os.path.realpath(src)
        self.root = dest
        os.makedirs(dest)
        _link_entries(self.src, dest)
        self._real = {""}

    def _make_real(self, rel):
        """Turn directory rel of the farm (a link, or missing) into a real
        directory whose entries link into the source."""
        if rel in self._real:
            return
        parent = os.path.dirname(rel)
        self._make_real(parent)
        path = os.path.join(self.root, rel)
        if os.path.islink(path):
            os.unlink(path)
        elif os.path.exists(path) and not os.path.isdir(path):
            raise KmapconvError("the patch needs %s to be a directory, but "
                                "it is a file" % rel)
        if not os.path.isdir(path):
            os.mkdir(path)
            _link_entries(os.path.join(self.src, rel), path)
        self._real.add(rel)

    def write(self, rel, text):
        """Make rel a private file holding text (None: remove it)."""
        rel = os.path.normpath(rel)
        self._make_real(os.path.dirname(rel))
        path = os.path.join(self.root, rel)
        if os.path.lexists(path):
            if os.path.isdir(path) and not os.path.islink(path):
                raise KmapconvError("the patch writes %s, a directory" % rel)
            os.unlink(path)
        if text is None:
            return
        with open(path, "w", encoding="utf-8", errors="surrogateescape",
                  newline="") as f:
            f.write(text)


def read_text(path):
    """A source file's text (None if it does not exist), byte-exact."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape",
                  newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise KmapconvError("%s is a directory, not a file" % path)
    except OSError as e:
        raise KmapconvError("cannot read %s: %s" % (path, e.strerror))
