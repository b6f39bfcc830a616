# SPDX-License-Identifier: GPL-2.0-only
"""The code the rewrite emits passes the kernel's checkpatch.pl --strict:
each golden rewrite (tests/semantic/rewrite/X.c -> X.expected.c) as a
patch, checked with the checkpatch.pl of Debian's linux-source-6.12
(unpacked at test time, never copied into the project).  Only added
lines are checked, so the fixtures' own style does not count."""

import difflib
import subprocess
from pathlib import Path

import pytest

from kmapconv import ksrc
from testlib import TARBALL_612, needs_file

HERE = Path(__file__).resolve().parent / "rewrite"
CASES = sorted(p.stem for p in HERE.glob("*.c")
               if not p.name.endswith(".expected.c"))

pytestmark = [pytest.mark.real_kernel,
              needs_file(TARBALL_612, "linux-source-6.12")]


@pytest.fixture(scope="module")
def checkpatch():
    tree = ksrc.unpack_subset(TARBALL_612, None, [
        "scripts/checkpatch.pl", "scripts/spelling.txt",
        "scripts/const_structs.checkpatch"])
    return str(Path(tree) / "scripts" / "checkpatch.pl")


@pytest.mark.parametrize("case", CASES)
def test_the_rewrite_passes_checkpatch_strict(case, checkpatch, tmp_path):
    before = (HERE / (case + ".c")).read_text().splitlines(True)
    after = (HERE / (case + ".expected.c")).read_text().splitlines(True)
    diff = "".join(difflib.unified_diff(before, after, "a/%s.c" % case,
                                        "b/%s.c" % case))
    assert diff, "the golden rewrites nothing"
    patch = tmp_path / (case + ".patch")
    patch.write_text(diff)
    res = subprocess.run(
        ["perl", checkpatch, "--strict", "--no-tree", "--no-signoff",
         "--terse", "--no-summary", "--max-line-length=100",
         "--ignore", "COMMIT_MESSAGE,MISSING_COMMIT_DESCRIPTION",
         str(patch)], capture_output=True, text=True)
    assert res.stdout == "" and res.returncode == 0, res.stdout
