# SPDX-License-Identifier: GPL-2.0-only
"""The build copy: KSRC is never written, and a run writes into src only
the files whose bytes differ from what src holds, so kbuild rebuilds
only what changed."""

import os

import pytest

from vmtest import tree
from vmtest.errors import VmTestError


def make_ksrc(root):
    ksrc = root / "ksrc"
    (ksrc / "fs" / "x").mkdir(parents=True)
    (ksrc / "Makefile").write_text("top\n")
    (ksrc / "fs" / "x" / "a.c").write_text("int a;\n")
    (ksrc / "fs" / "x" / "b.c").write_text("int b;\n")
    os.symlink("a.c", ksrc / "fs" / "x" / "l.c")
    return ksrc


def run(ksrc, cache, edit):
    with tree.BuildCopy(str(ksrc), str(cache)) as copy:
        staging = copy.new_staging()
        edit(staging)
        return copy, copy.commit_staging()


def write(staging, rel, text):
    path = os.path.join(staging, rel)
    tree.private_copy(path)
    with open(path, "w") as f:
        f.write(text)


def test_only_differences_are_written(tmp_path):
    ksrc = make_ksrc(tmp_path)
    cache = tmp_path / "cache"
    before = tree.fingerprint(str(ksrc))

    def first(staging):
        write(staging, "fs/x/a.c", "int a2;\n")
        os.unlink(os.path.join(staging, "fs/x/b.c"))
        with open(os.path.join(staging, "fs/x/new.c"), "w") as f:
            f.write("new\n")
        # a private copy with the same bytes is no change
        tree.private_copy(os.path.join(staging, "Makefile"))

    copy, written = run(ksrc, cache, first)
    assert written == ["fs/x/a.c", "fs/x/b.c", "fs/x/new.c"]
    src = copy.src
    assert open(os.path.join(src, "fs/x/a.c")).read() == "int a2;\n"
    assert not os.path.exists(os.path.join(src, "fs/x/b.c"))
    assert os.readlink(os.path.join(src, "fs/x/l.c")) == "a.c"
    assert os.stat(os.path.join(src, "fs/x/a.c")).st_nlink == 1
    assert tree.fingerprint(str(ksrc)) == before
    assert (ksrc / "fs" / "x" / "a.c").read_text() == "int a;\n"

    # the same changes again: nothing written, mtimes kept
    mtime = os.stat(os.path.join(src, "fs/x/a.c")).st_mtime_ns
    _, written = run(ksrc, cache, first)
    assert written == []
    assert os.stat(os.path.join(src, "fs/x/a.c")).st_mtime_ns == mtime

    # no changes: a.c and b.c go back to KSRC's bytes, as private files
    # (a hard link would carry KSRC's older mtime), new.c goes away
    _, written = run(ksrc, cache, lambda staging: None)
    assert written == ["fs/x/a.c", "fs/x/b.c", "fs/x/new.c"]
    assert open(os.path.join(src, "fs/x/a.c")).read() == "int a;\n"
    assert os.stat(os.path.join(src, "fs/x/a.c")).st_nlink == 1
    assert os.stat(os.path.join(src, "fs/x/a.c")).st_mtime_ns >= mtime
    assert not os.path.exists(os.path.join(src, "fs/x/new.c"))
    assert tree.fingerprint(str(ksrc)) == before


def test_write_through_a_link_is_caught(tmp_path):
    ksrc = make_ksrc(tmp_path)

    def in_place(staging):
        # what "cp file dst" onto a hard-linked dst would do
        with open(os.path.join(staging, "fs/x/a.c"), "a") as f:
            f.write("oops\n")

    with pytest.raises(VmTestError, match="KSRC .* changed"):
        run(ksrc, tmp_path / "cache", in_place)


def test_cache_inside_ksrc_is_refused(tmp_path):
    ksrc = make_ksrc(tmp_path)
    with pytest.raises(VmTestError, match="overlap"):
        with tree.BuildCopy(str(ksrc), str(ksrc / "cache")):
            pass
