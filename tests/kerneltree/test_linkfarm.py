# SPDX-License-Identifier: GPL-2.0-only
"""The one patched view of a tree: private files where written or owned,
links everywhere else, the tree itself never written."""

import hashlib
import json
import os

import pytest

from kerneltree.linkfarm import FarmError, LinkFarm


def snapshot(root):
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in sorted(os.walk(root)):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            h.update(path.encode())
            with open(path, "rb") as f:
                h.update(f.read())
    return h.hexdigest()


@pytest.fixture
def src(tmp_path):
    root = tmp_path / "src"
    for rel, text in {"Makefile": "all:\n", "fs/x/a.c": "a\n",
                      "fs/x/b.c": "b\n", "include/h.h": "h\n"}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "compile_commands.json").write_text(json.dumps([{
        "directory": str(root), "file": "%s/fs/x/a.c" % root,
        "arguments": ["gcc", "-I%s/include" % root, "-c", "fs/x/a.c"]}]))
    return root


def test_own_write_and_links(src, tmp_path):
    before = snapshot(src)
    root = tmp_path / "view"
    farm = LinkFarm(str(src), str(root))
    farm.own("fs/x/a.c")
    (root / "fs/x/a.c").write_text("patched\n")
    farm.write("fs/new/c.c", "new\n")
    farm.write("Makefile", None)
    farm.retarget_compdb()
    assert snapshot(src) == before
    assert not (root / "fs/x/a.c").is_symlink()
    assert (root / "fs/x/b.c").is_symlink()
    assert (root / "include").is_symlink()
    assert not (root / "fs").is_symlink()
    assert (root / "fs/new/c.c").read_text() == "new\n"
    assert not (root / "Makefile").exists()
    db = json.loads((root / "compile_commands.json").read_text())
    assert db == [{"directory": str(root), "file": "%s/fs/x/a.c" % root,
                   "arguments": ["gcc", "-I%s/include" % root, "-c",
                                 "fs/x/a.c"]}]


@pytest.mark.parametrize("rel", ["../outside.c", "/etc/passwd"])
def test_paths_outside_the_tree_are_refused(src, tmp_path, rel):
    farm = LinkFarm(str(src), str(tmp_path / "view"))
    with pytest.raises(FarmError, match="not a path inside the tree"):
        farm.write(rel, "x\n")


def test_a_file_where_a_directory_is_needed(src, tmp_path):
    farm = LinkFarm(str(src), str(tmp_path / "view"))
    with pytest.raises(FarmError, match="must be a directory"):
        farm.write("Makefile/x.c", "x\n")
