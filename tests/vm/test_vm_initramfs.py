# SPDX-License-Identifier: GPL-2.0-only
"""The initramfs written in Python reads back with GNU cpio: /init, the
workload's configuration and the /dev/console node the kernel needs."""

import subprocess

from vmtest import filesystems, initramfs


def test_archive_lists_and_extracts(tmp_path):
    init = tmp_path / "init-bin"
    init.write_bytes(b"\x7fELF fake")
    spec = {fs.name: fs for fs in filesystems.FILESYSTEMS}
    conf = initramfs.guest_conf([(spec["ext4"], "vda"),
                                 (spec["squashfs"], "vdb")], 3, 4)
    assert conf == ("workers 3\nscale 4\n"
                    "fs ext4 /dev/vda ext4 rw 255 data=journal\n"
                    "fs squashfs /dev/vdb squashfs ro 255\n")
    archive = tmp_path / "initramfs.cpio"
    initramfs.write(str(archive), str(init), conf)
    listing = subprocess.run(["cpio", "-itv", "--quiet"],
                             stdin=open(archive, "rb"), capture_output=True,
                             text=True, check=True).stdout.splitlines()
    names = [line.split()[-1] for line in listing]
    assert names == ["dev", "etc", "proc", "sys", "run", "mnt",
                     "dev/console", "init", "etc/kmapwork.conf"]
    console = listing[names.index("dev/console")]
    assert console.startswith("crw") and "5," in console
    out = tmp_path / "x"
    out.mkdir()
    subprocess.run(["cpio", "-id", "--quiet", "--no-absolute-filenames",
                    "init", "etc/kmapwork.conf"], cwd=out,
                   stdin=open(archive, "rb"), check=True)
    assert (out / "init").read_bytes() == b"\x7fELF fake"
    assert (out / "etc" / "kmapwork.conf").read_text() == conf


def test_subsystems_pick_filesystems():
    chosen, unknown = filesystems.for_subsys(["fs/jbd2", "fs/minix/",
                                              "fs/gfs2"])
    assert [fs.name for fs in chosen] == ["ext4", "ext4j1", "minix"]
    assert unknown == ["fs/gfs2"]
