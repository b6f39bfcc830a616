# SPDX-License-Identifier: GPL-2.0-only
"""Disk images, made on the host with each filesystem's own tools.

Writable images are empty files of a fixed size given to mkfs; the
guest fills them.  Read-only images are made from a tree written here:
files of many sizes (content.py), a MANIFEST of "<name> <size>
[<zeros from> <zeros to>]" lines the guest checks them by, and a
symlink "link" -> "f1".
"""

import os
import shutil
import subprocess
import zlib

from . import content
from .errors import VmTestError

# Around sector and page boundaries, tiny and a few pages long.
RO_SIZES = (0, 1, 60, 511, 512, 513, 4095, 4096, 4097, 8191, 8193, 12289,
            30000, 65536, 65537, 200003)

# A file with a run of zeros over whole 128 KiB blocks (mksquashfs's
# default block size): stored as a hole where the format has them, so
# the read side's hole path runs too
HOLE = ("hole", 3 * 131072 + 100, 131072, 2 * 131072)


def write_ro_tree(tree):
    os.makedirs(tree)
    manifest = []
    for i, size in enumerate(RO_SIZES):
        name = "f%d" % i
        with open(os.path.join(tree, name), "wb") as f:
            f.write(content.generate(name, size))
        manifest.append("%s %d\n" % (name, size))
    name, size, zeros_from, zeros_to = HOLE
    data = bytearray(content.generate(name, size))
    data[zeros_from:zeros_to] = bytes(zeros_to - zeros_from)
    with open(os.path.join(tree, name), "wb") as f:
        f.write(data)
    manifest.append("%s %d %d %d\n" % HOLE)
    with open(os.path.join(tree, "MANIFEST"), "w") as f:
        f.write("".join(manifest))
    os.symlink("f1", os.path.join(tree, "link"))
    return len(RO_SIZES) + 1


def _run(argv, what):
    proc = subprocess.run(argv, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if proc.returncode != 0:
        lines = (proc.stderr + proc.stdout).strip().splitlines()
        raise VmTestError("%s failed (%s): %s" % (
            what, " ".join(argv), lines[-1] if lines else
            "exit %d" % proc.returncode))
    return proc


def make_image(fs, workdir):
    """Make fs's image in workdir; returns its path."""
    img = os.path.join(workdir, fs.name + ".img")
    if os.path.exists(img):
        os.unlink(img)
    if not shutil.which(fs.make[0]):
        raise VmTestError("%s is missing (Debian package %s)"
                          % (fs.make[0], fs.package))
    tree = os.path.join(workdir, fs.name + ".tree")
    if fs.writable:
        with open(img, "wb") as f:
            f.truncate(fs.size_mb << 20)
    else:
        shutil.rmtree(tree, ignore_errors=True)
        write_ro_tree(tree)
    _run([a.format(img=img, dir=tree) for a in fs.make], "mkfs of " + fs.name)
    shutil.rmtree(tree, ignore_errors=True)
    return img


def fsck_image(fs, img):
    """None if fine or no fsck exists, else the tool's last lines."""
    if not fs.fsck:
        return None
    argv = [a.format(img=img) for a in fs.fsck]
    proc = subprocess.run(argv, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    if proc.returncode == 0:
        return None
    lines = (proc.stdout + proc.stderr).strip().splitlines()
    return "%s: exit %d: %s" % (" ".join(argv), proc.returncode,
                                " | ".join(lines[-4:]))


def host_check(fs, img, files, workdir):
    """Compare the files the guest reported ({path: (size, crc)}) with
    the image's own copy; None when no tool can read fs's images, else
    (files compared, [mismatches])."""
    if not fs.dump:
        return None
    tree = os.path.join(workdir, fs.name + ".dump")
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(tree)
    _run([a.format(img=img, dir=tree) for a in fs.dump],
         "copying files out of " + fs.name)
    bad = []
    for path, (size, crc) in sorted(files.items()):
        try:
            with open(os.path.join(tree, path), "rb") as f:
                data = f.read()
        except OSError as e:
            bad.append("%s: %s" % (path, e.strerror))
            continue
        # Sizes the guest checked itself (stat after remount); a longer
        # copy is compared up to the size: debugfs copies the whole
        # inline-data area (60 bytes) of a small ext4 file.
        if len(data) < size or zlib.crc32(data[:size]) != crc:
            bad.append("%s: %d bytes, crc %08x in the image; the guest "
                       "had %d bytes, crc %08x" % (
                           path, len(data), zlib.crc32(data[:size]), size,
                           crc))
    shutil.rmtree(tree, ignore_errors=True)
    return len(files), bad
