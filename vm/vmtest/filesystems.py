# SPDX-License-Identifier: GPL-2.0-only
"""The filesystems the workload knows how to test.

Each entry says which converted subsystems it exercises, which Kconfig
options build it in, and how the host makes its disk image with the
filesystem's own Debian tools (no loop mounts, no root needed).  Writable
images start empty and the guest fills them; read-only ones are made
from a tree the host generates (content.py) with a MANIFEST the guest
checks.  After the guest has powered off, writable images are checked
with the filesystem's fsck when Debian has one, and where a Debian tool
can copy files out of the image (debugfs), each file the guest reported
is compared with it.

A filesystem may also stand on a RAM-backed block device, to run a
converted block driver: the host's image is copied onto that device by
the guest before the mount ("load"), with the driver's parameters on
the kernel command line ("cmdline"); nothing of it survives the guest.
That device may be an md array the guest assembles first from such
devices ("array"), to run the converted code the RAID personality
calls (async_tx's copies).
"""

import collections

FsSpec = collections.namedtuple("FsSpec", [
    "name",       # mount point and label in the log
    "subsys",     # converted directories this filesystem exercises
    "kconfig",    # options set =y (with their menus)
    "fstype",     # for mount(2)
    "options",    # mount data, "" for none
    "writable",   # guest writes (True) or only reads (False)
    "namemax",    # longest file name the guest may use
    "size_mb",    # image size (writable images)
    "make",       # argv; {img} the image, {dir} the tree (read-only)
    "fsck",       # argv run on the image after the guest, or None
    "dump",       # argv copying the image's tree to {dir}, or None
    "package",    # Debian package with the tools
    "load",       # device the guest copies the image onto and mounts
    "cmdline",    # kernel parameters the device needs
    "array",      # MdArray the guest assembles before the load, or None
    "crypto_selftests",  # the guest checks every algorithm passed its
                         # self-tests (/proc/crypto)
], defaults=(None, "", None, False))

# An md array without a superblock (metadata "none"), assembled through
# md's sysfs files from devices the kernel made empty, so its parity is
# already consistent and it starts without a resync.
MdArray = collections.namedtuple("MdArray", [
    "device",     # /dev/mdN
    "level",      # md's level name
    "chunk_kb",
    "size_kb",    # used of each member
    "members",    # block devices, in slot order
])

# RAM disks of 32 MB; brd allocates their pages (highmem ones) on first
# write, so the unused ones cost nothing
_BRD = "brd.rd_nr=4 brd.rd_size=32768"

_E2DUMP = ("debugfs", "-R", "rdump / {dir}", "{img}")

FILESYSTEMS = [
    FsSpec("ext2", ("fs/ext2",), ("EXT2_FS",), "ext2", "", True, 255, 64,
           ("mkfs.ext2", "-F", "-q", "{img}"),
           ("e2fsck", "-fn", "{img}"), _E2DUMP, "e2fsprogs"),
    # inline_data keeps small files and directories in the inode, and
    # data=journal sends file data through jbd2 too.
    FsSpec("ext4", ("fs/ext4", "fs/jbd2"), ("EXT4_FS",), "ext4",
           "data=journal", True, 255, 96,
           ("mkfs.ext4", "-F", "-q", "-O", "inline_data", "{img}"),
           ("e2fsck", "-fn", "{img}"), _E2DUMP, "e2fsprogs"),
    # without metadata_csum, journal_checksum makes jbd2 write its
    # version 1 checksums, over every block of each transaction
    FsSpec("ext4j1", ("fs/ext4", "fs/jbd2"), ("EXT4_FS",), "ext4",
           "journal_checksum", True, 255, 64,
           ("mkfs.ext4", "-F", "-q", "-O", "^metadata_csum", "{img}"),
           ("e2fsck", "-fn", "{img}"), _E2DUMP, "e2fsprogs"),
    FsSpec("minix", ("fs/minix",), ("MISC_FILESYSTEMS", "MINIX_FS"),
           "minix", "", True, 60, 64,
           ("mkfs.minix", "-3", "{img}"),
           ("fsck.minix", "-f", "{img}"), None, "util-linux"),
    FsSpec("udf", ("fs/udf",), ("UDF_FS",), "udf", "", True, 255, 64,
           ("mkudffs", "--media-type=hd", "--blocksize=2048", "{img}"),
           None, None, "udftools"),
    FsSpec("nilfs2", ("fs/nilfs2",), ("NILFS2_FS",), "nilfs2", "", True,
           255, 128,
           ("mkfs.nilfs2", "-q", "-f", "-B", "256", "{img}"),
           None, None, "nilfs-tools"),
    FsSpec("reiserfs", ("fs/reiserfs",), ("REISERFS_FS",), "reiserfs", "",
           True, 255, 96,
           ("mkreiserfs", "-f", "-f", "-q", "{img}"),
           ("reiserfsck", "--check", "-y", "-q", "{img}"), None,
           "reiserfsprogs"),
    FsSpec("squashfs", ("fs/squashfs",),
           ("MISC_FILESYSTEMS", "SQUASHFS", "SQUASHFS_ZLIB"), "squashfs",
           "", False, 255, 0,
           ("mksquashfs", "{dir}", "{img}", "-noappend", "-quiet",
            "-all-root", "-comp", "gzip"), None, None, "squashfs-tools"),
    FsSpec("romfs", ("fs/romfs",), ("MISC_FILESYSTEMS", "ROMFS_FS"),
           "romfs", "", False, 255, 0,
           ("genromfs", "-f", "{img}", "-d", "{dir}"), None, None,
           "genromfs"),
    FsSpec("cramfs", ("fs/cramfs",),
           ("MISC_FILESYSTEMS", "CRAMFS", "CRAMFS_BLOCKDEV"),
           "cramfs", "", False, 255, 0,
           ("mkfs.cramfs", "{dir}", "{img}"), None, None, "util-linux"),
    # ext2 on a RAM disk (brd): every block through the driver's own
    # copies to and from its highmem pages
    FsSpec("ramdisk", ("drivers/block",), ("BLK_DEV_RAM", "EXT2_FS"),
           "ext2", "", True, 255, 32,
           ("mkfs.ext2", "-F", "-q", "{img}"), None, None, "e2fsprogs",
           load="/dev/ram0", cmdline=_BRD),
    # The crypto API's converted code: ext2 on a RAID5 of three RAM
    # disks, whose every write goes through the stripe cache, copied in
    # by async_memcpy() (there is no DMA engine, so the synchronous
    # copy, which maps both pages); and the self-tests run at each
    # algorithm's registration, extra ones included (random
    # scatterlist layouts through the ahash and shash interfaces)
    FsSpec("crypto", ("crypto",),
           ("MD", "BLK_DEV_MD", "MD_RAID456", "BLK_DEV_RAM", "EXT2_FS",
            "CRYPTO", "CRYPTO_MANAGER", "CRYPTO_MANAGER_EXTRA_TESTS",
            "CRYPTO_SHA256"),
           "ext2", "", True, 255, 32,
           ("mkfs.ext2", "-F", "-q", "{img}"), None, None, "e2fsprogs",
           load="/dev/md0", cmdline=_BRD,
           array=MdArray("/dev/md0", "raid5", 64, 32768,
                         ("/dev/ram1", "/dev/ram2", "/dev/ram3")),
           crypto_selftests=True),
]

DEFAULT_SUBSYS = tuple(s for fs in FILESYSTEMS for s in fs.subsys)


def exercising(filesystems, rewritten):
    """(kept, idle): the filesystems whose subsystems have a rewritten
    site (rewritten: {subsystem: sites}), and the others, whose workload
    would run none of the patch (only code the patch does not touch,
    and that code's own bugs)."""
    kept = [fs for fs in filesystems
            if any(rewritten.get(s) for s in fs.subsys)]
    return kept, [fs for fs in filesystems if fs not in kept]


def for_subsys(subsys_list):
    """The filesystems that exercise the given subsystems, in table
    order, and the subsystems no filesystem here exercises."""
    wanted = [s.rstrip("/") for s in subsys_list]
    chosen = [fs for fs in FILESYSTEMS if set(fs.subsys) & set(wanted)]
    known = {s for fs in FILESYSTEMS for s in fs.subsys}
    return chosen, [s for s in wanted if s not in known]
