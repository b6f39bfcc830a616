# SPDX-License-Identifier: GPL-2.0-only
"""The cache entry of a kept tree copy: its name, the overlap check and
the lock verify and vm-test take on it."""

import os
import subprocess
import sys

from kerneltree import treecache


def test_entry_name_is_stable_and_per_tree():
    a = treecache.entry_name("/src/linux-6.12")
    assert a == treecache.entry_name("/src/linux-6.12")
    assert a != treecache.entry_name("/src/linux-6.1")
    assert len(a) == 16


def test_overlap_either_way(tmp_path):
    tree, cache = tmp_path / "tree", tmp_path / "cache"
    tree.mkdir()
    cache.mkdir()
    (tree / "sub").mkdir()
    assert not treecache.overlap(str(tree), str(cache))
    assert treecache.overlap(str(tree), str(tree / "sub"))
    assert treecache.overlap(str(tree / "sub"), str(tree))
    assert treecache.overlap(str(tree), str(tree))
    # a sibling whose name starts like the tree's is apart
    (tmp_path / "tree2").mkdir()
    assert not treecache.overlap(str(tree), str(tmp_path / "tree2"))


def test_a_second_holder_waits_and_says_so(tmp_path):
    path = str(tmp_path / "entry.lock")
    fd = treecache.lock(path, "unused")
    other = subprocess.Popen(
        [sys.executable, "-c",
         "import sys; sys.path.insert(0, %r)\n"
         "from kerneltree import treecache\n"
         "treecache.unlock(treecache.lock(%r, 'waiting here'))\n"
         "print('got it')" % (os.path.dirname(os.path.dirname(
             treecache.__file__)), path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        err_line = other.stderr.readline()
        assert err_line.strip() == "waiting here"
    finally:
        treecache.unlock(fd)
    out, _ = other.communicate(timeout=30)
    assert out.strip() == "got it"
