# SPDX-License-Identifier: GPL-2.0-only
"""A view of a kernel tree that is the tree except for a few files, and
never writes the tree.

Copying a kernel tree takes seconds and a gigabyte (even hard links cost
a walk of its 75000 files); the converter's audit and the review change
a handful of files.  A link farm is a directory whose entries are
symbolic links into the tree, except along the paths of the files
written into it: those directories are real (their other entries linked
again) and the files are private copies.  Tools that read the tree
(spatch, kmap-audit, kbuild's flags) see a complete kernel tree; nothing
written into the farm can reach the tree, because every written path lies
in a real directory of the farm.

A compile_commands.json that names the tree's paths is rewritten to name
the farm's, so that the audit finds the compile command of a private
file under its new path.
"""

import json
import os
import shutil

COMPDB = "compile_commands.json"


class FarmError(Exception):
    """The farm cannot be made as asked (the message names the path)."""


def _link_entries(src_dir, dest_dir):
    try:
        names = os.listdir(src_dir)
    except FileNotFoundError:
        return                      # a directory only the writer creates
    except OSError as e:
        raise FarmError("cannot read %s: %s" % (src_dir, e.strerror))
    for name in names:
        os.symlink(os.path.join(src_dir, name), os.path.join(dest_dir, name))


class LinkFarm:
    def __init__(self, src, dest):
        """Make directory dest (it must not exist yet): a view of src."""
        self.src = os.path.realpath(src)
        self._given = os.path.abspath(src)
        self.root = dest
        try:
            os.makedirs(dest)
        except OSError as e:
            raise FarmError("cannot make %s: %s" % (dest, e.strerror))
        _link_entries(self.src, dest)
        self._real = {""}

    def _make_real(self, rel):
        """Turn directory rel of the farm (a link, or missing) into a real
        directory whose entries link into the source."""
        if rel in self._real:
            return
        self._make_real(os.path.dirname(rel))
        path = os.path.join(self.root, rel)
        if os.path.exists(path) and not os.path.isdir(path):
            raise FarmError("%s must be a directory, but it is a file" % rel)
        if os.path.islink(path):
            os.unlink(path)
        if not os.path.isdir(path):
            os.mkdir(path)
            _link_entries(os.path.join(self.src, rel), path)
        self._real.add(rel)

    def _private_path(self, rel):
        rel = os.path.normpath(rel)
        if rel.startswith("..") or os.path.isabs(rel):
            raise FarmError("%s is not a path inside the tree" % rel)
        self._make_real(os.path.dirname(rel))
        path = os.path.join(self.root, rel)
        if os.path.lexists(path):
            if os.path.isdir(path) and not os.path.islink(path):
                raise FarmError("%s is a directory, not a file" % rel)
            os.unlink(path)
        return path

    def write(self, rel, text):
        """Make rel a private file holding text (None: remove it)."""
        path = self._private_path(rel)
        if text is None:
            return
        with open(path, "w", encoding="utf-8", errors="surrogateescape",
                  newline="") as f:
            f.write(text)

    def own(self, rel):
        """Make rel a private copy of the source's file (nothing when the
        source lacks it: a file the writer creates)."""
        src = os.path.join(self.src, rel)
        path = self._private_path(rel)
        if os.path.isfile(src):
            shutil.copyfile(src, path)

    def retarget_compdb(self):
        """A compile_commands.json naming the source's paths, pointed at
        the farm."""
        link = os.path.join(self.root, COMPDB)
        if not os.path.islink(link):
            return
        try:
            with open(link, encoding="utf-8") as f:
                entries = json.loads(f.read())
        except (OSError, ValueError):
            return          # the audit reports an unreadable database
        prefixes = sorted({self._given, self.src}, key=len, reverse=True)
        root = self.root

        def moved(value):
            if isinstance(value, str):
                for prefix in prefixes:
                    value = value.replace(prefix + "/", root + "/")
                    if value == prefix:
                        value = root
                return value
            if isinstance(value, list):
                return [moved(v) for v in value]
            if isinstance(value, dict):
                return {k: moved(v) for k, v in value.items()}
            return value

        os.unlink(link)
        with open(link, "w", encoding="utf-8") as f:
            json.dump(moved(entries), f)


def read_text(path):
    """A source file's text (None if it does not exist), byte-exact."""
    try:
        with open(path, encoding="utf-8", errors="surrogateescape",
                  newline="") as f:
            return f.read()
    except FileNotFoundError:
        return None
    except IsADirectoryError:
        raise FarmError("%s is a directory, not a file" % path)
    except OSError as e:
        raise FarmError("cannot read %s: %s" % (path, e.strerror))
