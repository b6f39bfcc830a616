# SPDX-License-Identifier: GPL-2.0-only
"""The guest's initramfs: /init (vm/guest/kmapwork.c, static, 32-bit),
its configuration, and /dev/console.

The archive is written here in the "newc" cpio format the kernel reads,
so device nodes need no root and the bytes do not depend on the host's
cpio.
"""

import os
import stat
import subprocess

from .errors import VmTestError

GUEST_SOURCE = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "guest", "kmapwork.c")


def build_init(out):
    """Compile the guest program; gcc -m32 needs Debian's gcc-multilib."""
    proc = subprocess.run(["gcc", "-m32", "-static", "-O2", "-Wall",
                           "-Werror", "-o", out, GUEST_SOURCE],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        lines = proc.stderr.strip().splitlines() or ["exit %d"
                                                     % proc.returncode]
        hint = ""
        if "bits/" in proc.stderr or "cannot find" in proc.stderr:
            hint = " (is gcc-multilib installed?)"
        raise VmTestError("cannot build the guest /init%s: %s"
                          % (hint, lines[0]))
    return out


class Cpio:
    """A newc archive, written in order."""

    def __init__(self, path):
        self._f = open(path, "wb")
        self._ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0)):
        name_b = name.encode() + b"\0"
        fields = [self._ino, mode, 0, 0, 1, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(name_b), 0]
        self._ino += 1
        head = b"070701" + b"".join(b"%08X" % v for v in fields)
        self._f.write(head + name_b)
        self._f.write(b"\0" * (-(len(head) + len(name_b)) % 4))
        self._f.write(data)
        self._f.write(b"\0" * (-len(data) % 4))

    def directory(self, name):
        self._entry(name, stat.S_IFDIR | 0o755)

    def file(self, name, data, mode=0o644):
        self._entry(name, stat.S_IFREG | mode, data)

    def chardev(self, name, major, minor):
        self._entry(name, stat.S_IFCHR | 0o600, rdev=(major, minor))

    def close(self):
        self._entry("TRAILER!!!", 0)
        self._f.close()


def write(path, init_binary, conf_text):
    with open(init_binary, "rb") as f:
        init = f.read()
    archive = Cpio(path)
    for d in ("dev", "etc", "proc", "sys", "run", "mnt"):
        archive.directory(d)
    # the kernel opens /dev/console for init's stdin/stdout/stderr
    # before anything could mount devtmpfs
    archive.chardev("dev/console", 5, 1)
    archive.file("init", init, 0o755)
    archive.file("etc/kmapwork.conf", conf_text.encode())
    archive.close()


def guest_conf(disks, workers, scale):
    """/etc/kmapwork.conf: disks is [(FsSpec, device name)]."""
    lines = ["workers %d" % workers, "scale %d" % scale]
    if any(fs.crypto_selftests for fs, _dev in disks):
        lines.append("crypto-selftests")
    for fs, dev in disks:
        if fs.array:
            a = fs.array
            lines.append("md %s %s %d %d %s" % (
                a.device, a.level, a.chunk_kb, a.size_kb,
                " ".join(a.members)))
        if fs.load:
            lines.append("load /dev/%s %s" % (dev, fs.load))
        lines.append(("fs %s %s %s %s %d %s" % (
            fs.name, fs.load or "/dev/" + dev, fs.fstype,
            "rw" if fs.writable else "ro", fs.namemax,
            fs.options)).rstrip())
    return "\n".join(lines) + "\n"
