# SPDX-License-Identifier: GPL-2.0-only
"""Reach per filesystem: rewritten functions grouped by the filesystem
whose subsystems hold them, a drop below the best earlier run is a
finding, and the best only goes up."""

from vmtest import filesystems, reach

SPEC = {fs.name: fs for fs in filesystems.FILESYSTEMS}
FSS = [SPEC["ext4"], SPEC["nilfs2"]]
INSTRUMENTED = [("fs/ext4/inline.c", "ext4_a"), ("fs/jbd2/commit.c", "jb"),
                ("fs/nilfs2/cpfile.c", "cp1"), ("fs/nilfs2/cpfile.c", "cp2"),
                ("fs/nilfs2/dat.c", "dat"), ("lib/scatterlist.c", "sg")]


def test_grouped_by_filesystem():
    table = reach.per_filesystem(INSTRUMENTED, ["jb", "cp2", "sg"], FSS)
    assert [(r.name, r.reached, r.instrumented) for r in table] == [
        ("ext4", ["jb"], ["ext4_a", "jb"]),
        ("nilfs2", ["cp2"], ["cp1", "cp2", "dat"]),
        ("other", ["sg"], ["sg"])]
    assert reach.total(table) == (3, 6)
    assert reach.lines(table)[1] == "  nilfs2    1/3; not reached: cp1, dat"


def test_drop_below_best_fails_and_best_only_rises(tmp_path):
    path = str(tmp_path / "reach.json")
    assert reach.load(path) == {}
    first = reach.per_filesystem(INSTRUMENTED, ["jb", "cp1", "cp2"], FSS)
    assert reach.regressions(first, {}) == []
    best = reach.save(path, first, {})
    assert reach.load(path) == {"ext4": 1, "nilfs2": 2, "other": 0}
    worse = reach.per_filesystem(INSTRUMENTED, ["jb", "ext4_a", "cp1"], FSS)
    found = reach.regressions(worse, best)
    assert [f.line for f in found] == [
        "nilfs2: 1 of 3 rewritten functions reached, 2 before"]
    assert reach.save(path, worse, best) == {"ext4": 2, "nilfs2": 2,
                                             "other": 0}


def test_read_only_tree_has_a_file_with_a_hole(tmp_path):
    from vmtest import content, images
    tree = tmp_path / "tree"
    assert images.write_ro_tree(str(tree)) == len(images.RO_SIZES) + 1
    name, size, zeros_from, zeros_to = images.HOLE
    data = (tree / name).read_bytes()
    assert len(data) == size
    assert data[zeros_from:zeros_to] == bytes(zeros_to - zeros_from)
    want = content.generate(name, size)
    assert data[:zeros_from] == want[:zeros_from]
    assert data[zeros_to:] == want[zeros_to:]
    assert (tree / "MANIFEST").read_text().splitlines()[-1] == \
        "hole %d %d %d" % (size, zeros_from, zeros_to)


def test_the_default_set_keeps_the_filesystems_that_run_the_patch():
    from vmtest import filesystems
    fss, _ = filesystems.for_subsys(["fs/ext4", "fs/jbd2", "fs/romfs",
                                     "drivers/block"])
    kept, idle = filesystems.exercising(fss, {"fs/ext4": 0, "fs/jbd2": 2,
                                              "fs/romfs": 0,
                                              "drivers/block": 5})
    # ext4 runs jbd2's rewritten code; romfs runs none of the patch.
    assert [fs.name for fs in kept] == ["ext4", "ext4j1", "ramdisk"]
    assert [fs.name for fs in idle] == ["romfs"]
