# SPDX-License-Identifier: GPL-2.0-only
"""Subject prefixes: from the history of a small git tree the test
builds, and the path fallback without one."""

import shutil
import subprocess

import pytest

import series_fixture as fx
from kmapconv import prefix, series
from testlib import needs

AUTHOR = "Jane Doe <jane@example.org>"
DATE = "Thu, 1 Jan 2026 00:00:00 +0000"

# file -> the subjects of the commits that touched it, oldest first.
HISTORY = {
    "fs/alpha/inode.c": ["alpha: Add inode", "alpha: client: Fix a leak",
                         "alpha: client: Use folios",
                         "Revert \"alpha: client: Use folios\""],
    "fs/alpha/sub/dir.c": ["alpha: client: Sort entries",
                           "treewide: Rename a helper"],
    "fs/beta/super.c": ["BETA: Fix mount", "beta: Fix umount",
                        "BETA: Fix remount"],
}


def git(tree, *args):
    return subprocess.run(
        ["git", "-C", str(tree), "-c", "user.name=T", "-c",
         "user.email=t@example.org", "-c", "commit.gpgsign=false"]
        + list(args), check=True, capture_output=True, text=True).stdout


@pytest.fixture
def git_tree(tmp_path):
    tree = fx.make_tree(tmp_path / "tree")
    git(tree, "init", "-q")
    git(tree, "add", ".")
    git(tree, "commit", "-q", "-m", "Initial import")
    rounds = max(len(v) for v in HISTORY.values())
    for n in range(rounds):
        for path, subjects in HISTORY.items():
            if n < len(subjects):
                with open(tree / path, "a") as f:
                    f.write("/* %d */\n" % n)
                git(tree, "commit", "-q", "-m", subjects[n], "--", path)
    return tree


def test_from_subjects():
    assert prefix.from_subjects([
        "smb: client: fix a", "Revert \"cifs: b\"", "cifs: c",
        "smb: client: d", "Merge tag 'x'", "fs/ntfs3: e"]) == "smb: client"
    # Equally often: the most recent (first listed) wins.
    assert prefix.from_subjects(["NFS: a", "nfs: b"]) == "NFS"
    assert prefix.from_subjects(["mm, slab: a"]) == "mm, slab"
    assert prefix.from_subjects(["no prefix here", ""]) == ""


@pytest.mark.parametrize("paths,expected", [
    (["fs/nilfs2/a.c", "fs/nilfs2/b.c"], "nilfs2"),
    (["fs/aio.c"], "aio"),
    (["drivers/gpu/drm/i915/gem/x.c", "drivers/gpu/drm/i915/y.c"], "i915"),
    (["fs/ext4/a.c", "fs/jbd2/b.c"], "fs"),
    (["top.c"], "treewide"),
    # One MAINTAINERS entry over two top-level directories.
    (["fs/nfs/nfs4proc.c", "net/sunrpc/socklib.c"], "nfs, sunrpc"),
    (["a/x/1.c", "b/y/2.c", "c/z/3.c", "d/w/4.c"], "treewide"),
    (["arch/x/kernel/uprobes.c", "kernel/events/uprobes.c"], "uprobes"),
])
def test_fallback_from_paths(paths, expected):
    assert prefix.fallback(paths) == expected


@needs(shutil.which("git"), "git is missing (Debian package git)")
def test_prefixes_follow_the_history(git_tree):
    files = series.render(fx.findings(), ksrc=str(git_tree), author=AUTHOR,
                          date=DATE)
    subjects = {name: next(l for l in text.split("\n")
                           if l.startswith("Subject: "))
                for name, text in files.items()}
    got = sorted(s.split("] ", 1)[1].split(": Convert")[0]
                 for n, s in subjects.items() if n != series.COVER)
    # alpha: "alpha: client" twice beats "alpha" once (the revert and
    # the treewide commit do not count); beta: "BETA" twice; the files
    # no commit but the import touched (gamma, md, top, epsilon) fall
    # back to their paths.
    assert got == sorted(["alpha: client", "BETA", "gamma", "md", "top",
                          "epsilon"])
    head = git(git_tree, "rev-parse", "HEAD").strip()
    assert ("\nbase-commit: %s\n" % head) in files[series.COVER]


def test_no_history_gives_the_kernel_version(tmp_path):
    tree = fx.make_tree(tmp_path / "tree")
    files = series.render(fx.findings(), ksrc=str(tree), author=AUTHOR,
                          date=DATE)
    cover = files[series.COVER]
    assert "base-commit:" not in cover
    assert "\nBased on Linux 6.1.0 (its top-level Makefile).\n" in cover


def test_a_name_other_subsystems_share_goes_after_its_subsystem(tmp_path):
    """arch/*/mm and drivers/*/host say little alone; a name of its
    own (drivers/gpu/drm/i915) and fs/<x> stay as they are."""
    for d in ("arch/arc/mm", "arch/arm/mm", "arch/arc/kernel",
              "drivers/mmc/host", "drivers/usb/host",
              "drivers/gpu/drm/i915", "fs/ceph", "net/ceph"):
        (tmp_path / d).mkdir(parents=True)
    tree = str(tmp_path)
    assert prefix.fallback(["arch/arc/mm/cache.c"], tree) == "arc: mm"
    assert prefix.fallback(["drivers/mmc/host/x.c"], tree) == "mmc: host"
    assert prefix.fallback(["arch/arc/kernel/x.c"], tree) == "kernel"
    assert prefix.fallback(["drivers/gpu/drm/i915/gt/x.c"], tree) == "i915"
    assert prefix.fallback(["fs/ceph/addr.c"], tree) == "ceph"
    assert prefix.fallback(["arch/arc/mm/cache.c"]) == "mm"


@pytest.mark.parametrize("prefix_, paths, expected", [
    ("nvdimm", ["drivers/nvdimm/pmem.c"], "nvdimm: pmem"),
    ("memstick: host", ["drivers/memstick/host/tifm_ms.c"],
     "memstick: host: tifm_ms"),
    ("block", ["drivers/block/xen-blkback/blkback.c",
               "drivers/block/xen-blkfront.c"], "block"),
    ("scsi", ["drivers/scsi/fcoe/fcoe.c", "drivers/scsi/fcoe/fcoe_ctlr.c"],
     "scsi: fcoe"),
    ("scsi", ["drivers/scsi/fcoe/fcoe.c", "drivers/scsi/libfc/fc_fcp.c"],
     "scsi: fcoe, libfc"),
    ("scsi", ["drivers/scsi/a/x.c", "drivers/scsi/b/y.c",
              "drivers/scsi/c/z.c"], "scsi"),
    ("aio", ["fs/aio.c"], "aio"),
])
def test_a_shared_prefix_narrowed_by_what_the_patch_alone_changes(
        prefix_, paths, expected):
    assert prefix.narrowed(prefix_, paths) == expected


def test_patches_of_one_series_get_prefixes_of_their_own(tmp_path):
    """Two patches of a tarball's series whose paths give one prefix are
    told apart; a prefix only one patch has stays as it is."""
    names = prefix.Prefixes(str(tmp_path)).of_series([
        ["drivers/nvdimm/btt.c"], ["drivers/nvdimm/pmem.c"],
        ["fs/nilfs2/a.c", "fs/nilfs2/b.c"]])
    assert names == ["nvdimm: btt", "nvdimm: pmem", "nilfs2"]
