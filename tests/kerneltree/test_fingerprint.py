# SPDX-License-Identifier: GPL-2.0-only
"""One tree fingerprint for make verify's build copies and vm-test's: a
write into the tree changes it, git's own bookkeeping does not."""

import os

from kerneltree.fingerprint import fingerprint
from kmapconv import buildtree
from vmtest import tree as vm_tree


def test_sources_count_git_does_not(tmp_path):
    (tmp_path / "fs").mkdir()
    (tmp_path / "fs" / "a.c").write_text("a\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "index").write_text("1\n")
    before = fingerprint(str(tmp_path))
    assert buildtree.fingerprint is fingerprint is vm_tree.fingerprint
    (tmp_path / ".git" / "index").write_text("2, after git status\n")
    assert fingerprint(str(tmp_path)) == before
    (tmp_path / "fs" / "a.c").write_text("b\n")
    os.utime(tmp_path / "fs" / "a.c", ns=(1, 1))
    assert fingerprint(str(tmp_path)) != before
