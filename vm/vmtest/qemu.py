# SPDX-License-Identifier: GPL-2.0-only
"""Boot the guest under qemu-system-i386 and keep its serial log.

-m 2G so that most memory is highmem (an i386 kernel maps about 896 MB
directly); -no-reboot so the guest's reboot (and panic=-1) ends QEMU;
one virtio disk per image with one queue per vCPU (blk-mq spreads the
queues' MSI-X vectors over the CPUs, so completions interrupt every CPU).
Several vCPUs with multi-threaded TCG where QEMU supports it for the
guest (qemu-system-i386 does on x86 hosts); it runs under nice like the
build.  TCG by default: it needs nothing from the
host, and the workload takes well under a minute with it; ACCEL=kvm is
there for hosts whose KVM boots i386 guests (on the machine this was
written on, nested KVM hangs before the kernel's first line).
"""

import os
import shutil
import subprocess
import time

from .errors import VmTestError

# printk.devkmsg=on: the workload logs through /dev/kmsg, unlimited;
# no_timer_check: on a loaded host a starved vCPU misses the boot's
# timer-through-IO-APIC test, and the kernel panics ("IO-APIC + timer
# doesn't work!") before anything is tested
CMDLINE = ("console=ttyS0,115200 panic=-1 oops=panic loglevel=7 "
           "printk.devkmsg=on no_timer_check rdinit=/init")


def accel(choice):
    if choice not in ("kvm", "tcg"):
        raise VmTestError("ACCEL must be kvm or tcg, not %r" % choice)
    if choice == "kvm" and not os.access("/dev/kvm", os.R_OK | os.W_OK):
        raise VmTestError("ACCEL=kvm but /dev/kvm cannot be opened")
    return choice


def disk_names(n):
    if n > 26:
        raise VmTestError("at most 26 disks")
    return ["vd" + chr(ord("a") + i) for i in range(n)]


def command(qemu, kernel, initrd, images, mem="2G", accel_name="tcg",
            cpus=4, cmdline=""):
    """The QEMU command line; cmdline is added to the kernel's."""
    accel_opt = accel_name + (",thread=multi" if accel_name == "tcg"
                              and cpus > 1 else "")
    # one CPU per socket: SeaBIOS's MP table, which this kernel reads
    # without ACPI, lists one processor per package
    cmd = ["nice", "-n", "19", qemu, "-m", mem,
           "-smp", "%d,sockets=%d,cores=1,threads=1" % (cpus, cpus),
           "-nographic", "-no-reboot", "-accel", accel_opt,
           "-kernel", kernel, "-initrd", initrd,
           "-append", (CMDLINE + " " + cmdline).strip()]
    for i, img in enumerate(images):
        cmd += ["-drive", "file=%s,format=raw,if=none,id=disk%d" % (img, i),
                "-device", "virtio-blk-pci,drive=disk%d,num-queues=%d"
                % (i, cpus)]
    return cmd


def boot(kernel, initrd, images, log, timeout, mem="2G", accel_name="tcg",
         cpus=4, cmdline=""):
    """Run the guest; returns (seconds, timed_out).  The serial output
    goes to log."""
    qemu = shutil.which("qemu-system-i386")
    if not qemu:
        raise VmTestError("qemu-system-i386 is missing (Debian package "
                          "qemu-system-x86)")
    cmd = command(qemu, kernel, initrd, images, mem, accel_name, cpus,
                  cmdline)
    start = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=subprocess.STDOUT)
        try:
            proc.wait(timeout=timeout)
            timed_out = False
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            timed_out = True
    return time.monotonic() - start, timed_out
