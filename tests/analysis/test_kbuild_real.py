# SPDX-License-Identifier: GPL-2.0-only
"""kbuild's exact flags on a real tree (Debian's 6.12, unpacked at test
time into the cache; the i386 configuration prepared once, 20-60 s):
module objects get -DMODULE and their module's name, a directory's
ccflags-y (here built from Makefile variables, which no reading of the
Makefile expanded) reach the compile, and the audit then sees the code
they select."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testlib import needs, needs_file

TOP = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(TOP / "tools"))

from kerneltree import kbuild  # noqa: E402
from kmapconv import ksrc  # noqa: E402

TARBALL_612 = "/usr/src/linux-source-6.12.tar.xz"
TREE_SCRIPT = TOP / "analysis" / "kmap-audit-tree"
MODULE = "drivers/vhost/vringh.c"          # obj-m, IS_REACHABLE() code
BUILTIN = "fs/exec.c"                      # obj-y
CCFLAGS = "drivers/staging/media/atomisp/pci/hmm/hmm.c"  # $(INCLUDES)
RENAMED = "fs/hfsplus/btree.c"             # #define hfs_btree_write ...
UML = "arch/um/kernel/skas/uaccess.c"     # kmap_atomic() if !CONFIG_64BIT

pytestmark = [pytest.mark.real_kernel,
              needs_file(TARBALL_612, "linux-source-6.12"),
              needs(shutil.which("clang-14"), "clang-14 is missing "
                    "(Debian package clang-14)")]


@pytest.fixture(scope="module")
def tree612():
    return ksrc.unpack(TARBALL_612)


@pytest.fixture(scope="module")
def flags(tree612):
    build = kbuild.prepare(tree612, "i386", jobs=2)
    got = kbuild.object_flags(build, [MODULE, BUILTIN, CCFLAGS], jobs=2)
    return tree612, build, got


def test_module_objects_are_compiled_as_modules(flags):
    _, _, got = flags
    assert "-DMODULE" in got[MODULE]
    assert '-DKBUILD_MODNAME="vringh"' in got[MODULE]
    assert "-DMODULE" not in got[BUILTIN]


def test_directory_ccflags_reach_the_compile(flags):
    tree, build, got = flags
    includes = kbuild.absolute_flags(build, got[CCFLAGS])
    want = os.path.join(tree, "drivers/staging/media/atomisp/include/hmm")
    assert any(os.path.normpath(a[2:]) == want for a in includes
               if a.startswith("-I"))


def test_the_configuration_has_highmem(flags):
    _, build, _ = flags
    config = Path(build.objdir, ".config").read_text()
    assert "CONFIG_HIGHMEM=y" in config
    assert "CONFIG_DEBUG_KMAP_LOCAL=y" in config


def test_audit_sees_what_the_exact_flags_select(tree612):
    r = subprocess.run([str(TREE_SCRIPT), "--ksrc", tree612, "--arch",
                        "i386", "--format", "json", "--stats", "--jobs",
                        "2", MODULE, CCFLAGS, RENAMED],
                       capture_output=True, text=True)
    assert r.returncode in (0, 1), r.stderr
    kinds = [json.loads(l)["kind"] for l in r.stdout.splitlines()]
    assert "parse-error" not in kinds
    stats = [l for l in r.stderr.splitlines()
             if l.startswith("kmap-audit-tree: 3 file(s)")]
    assert stats and ", 0 file(s) with parse errors" in stats[0]
    # Every function of the three files, module-only and macro-named
    # ones included (x86_64 allmodconfig with the Makefile-read flags
    # and functions named where the macro was written: 46 + 0 + 2).
    functions = int(stats[0].split(", ")[1].split()[0])
    assert functions >= 66 + 21 + 8


def test_seeded_sample_all_found(tree612, tmp_path):
    """The seeded-defect harness on one directory (a sample of what
    make test-analysis-seeded measures over fs/): every mutant found,
    those in functions whose names a header's macro spells included."""
    out = tmp_path / "mutants.json"
    r = subprocess.run(
        ["/usr/bin/python3", str(TOP / "tests/analysis/seeded/mutants.py"),
         "--ksrc", tree612, "--subsys", "fs/hfsplus", "--jobs", "2",
         "--json", str(out)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    mutants = json.loads(out.read_text())["mutants"]
    assert len(mutants) >= 18
    assert [m for m in mutants if not m["detected"]] == []
    assert "hfsplus_btree_write" in {m["function"] for m in mutants} or \
        "hfs_btree_write" in {m["function"] for m in mutants}


def test_user_mode_linux_is_audited_as_its_32_bit_self(tree612):
    """arch/um maps with kmap_atomic() only where CONFIG_64BIT is off:
    its file is audited under a 32-bit user-mode configuration (clang
    given the target 6.12's scripts/Makefile.clang lacks), not under
    i386, where its headers do not build, so no function is left out."""
    r = subprocess.run([str(TREE_SCRIPT), "--ksrc", tree612, "--format",
                        "json", "--stats", "--jobs", "2", UML],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    kinds = [json.loads(l)["kind"] for l in r.stdout.splitlines()]
    assert kinds == []
    assert ", 0 file(s) with parse errors, 0 function(s) not fully " \
           "explored, 0 not audited" in r.stderr, r.stderr
    config = Path(kbuild.prepare(tree612, "um", jobs=2).objdir,
                  ".config").read_text()
    assert "CONFIG_X86_32=y" in config and "CONFIG_64BIT=y" not in config
