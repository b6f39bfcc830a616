# SPDX-License-Identifier: GPL-2.0-only
"""One vm-test run: tree -> kernel -> images -> boot -> verdict."""

import collections
import os
import resource
import shutil
import time

from . import (conversions, funcedit, images, initramfs, kbuild, kconfig,
               overlay, qemu, serial_log)
from .errors import VmTestError
from .tree import private_copy

Options = collections.namedtuple("Options", [
    "jobs", "timeout", "accel", "mem", "workers", "scale", "cache", "out",
    "overlay", "cpus"])

Result = collections.namedtuple("Result", [
    "label", "problems", "log", "build_seconds", "build_cpu", "boot_seconds",
    "timed_out", "accel", "config", "overlay", "instrumented", "fsck",
    "ccache", "rebuilt_files", "serial_path", "host_checked", "cpus",
    "unbuilt", "pre_existing"], defaults=((),))


def converted_functions(convs):
    """(file, function) of every rewritten site, in order, once each."""
    seen = []
    for conv in convs:
        for site in conv.rewritten:
            key = (site["file"], site["function"])
            if key not in seen:
                seen.append(key)
    return seen


def kernel_parameters(filesystems):
    """The parameters the filesystems' devices need, each once (two
    filesystems may stand on devices of the same driver)."""
    return " ".join(dict.fromkeys(fs.cmdline for fs in filesystems
                                  if fs.cmdline))


def _prepare_tree(copy, convs, seed, use_overlay):
    """Staging = KSRC + patches + overlay + markers (+ seed); commit it
    into the build copy.  Returns (overlay status, instrumented
    functions, files written)."""
    staging = copy.new_staging()
    for conv in convs:
        conversions.apply_patch(conv.patch, staging)
    status = "absent (kernel-overlay/install.sh not found)"
    if not use_overlay:
        status = "left out (OVERLAY=0): stock DEBUG_KMAP_LOCAL checks only"
    elif overlay.present():
        if overlay.install(staging):
            status = "installed, CONFIG_%s=y" % overlay.OPTION
        else:
            status = ("installed, but no CONFIG_%s in the tree"
                      % overlay.OPTION)
    instrumented = []
    for path, function in converted_functions(convs):
        if not path.endswith(".c"):
            continue
        full = os.path.join(staging, path)
        private_copy(full)
        if funcedit.insert_at_top(full, function, funcedit.MARKER):
            instrumented.append((path, function))
    if seed:
        full = os.path.join(staging, seed[0])
        private_copy(full)
        if not funcedit.insert_at_top(full, seed[1], seed[2]):
            raise VmTestError("cannot find %s() in %s to seed the defect"
                              % (seed[1], seed[0]))
    written = copy.commit_staging()
    return status, instrumented, written


def built_only(build, instrumented):
    """The instrumented functions whose file this configuration compiled
    (a subsystem's rewrite may touch drivers the guest has no use for),
    and how many were left out."""
    built = [(path, function) for path, function in instrumented
             if os.path.exists(os.path.join(build, path[:-2] + ".o"))]
    return built, len(instrumented) - len(built)


def build_kernel(copy, filesystems, tracking, opts, log):
    values = kconfig.wanted(filesystems,
                            [overlay.OPTION] if tracking else [])
    _, config = kconfig.configure(copy.src, copy.build, values, opts.jobs)
    kbuild.zero_stats(opts.cache)
    start = time.monotonic()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = kbuild.make(copy.src, copy.build, ["bzImage"], opts.jobs,
                       log=log, cache=opts.cache)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise VmTestError("kernel build failed (%s): %s"
                          % (log, kbuild.first_error(proc)))
    # CPU time says what the build costs on an idle machine, whatever
    # else shares this one
    cpu = (after.ru_utime - before.ru_utime
           + after.ru_stime - before.ru_stime)
    return seconds, cpu, config, kbuild.ccache_stats(opts.cache)


def check_images(filesystems, imgs, log, work):
    """fsck of the writable images, and the host's compare of the files
    the guest reported: ({fs: fsck verdict}, {fs: files compared},
    [Finding])."""
    fsck, host, problems = {}, {}, []
    for fs, img in zip(filesystems, imgs):
        if not fs.writable:
            continue
        fsck[fs.name] = images.fsck_image(fs, img) if fs.fsck else "no fsck"
        if fsck[fs.name] not in (None, "no fsck"):
            problems.append(serial_log.Finding("fsck", fsck[fs.name], []))
        if log.files.get(fs.name):
            checked = images.host_check(fs, img, log.files[fs.name], work)
            if checked:
                host[fs.name] = checked[0]
                problems += [serial_log.Finding(
                    "host-check", "%s: %s" % (fs.name, bad), [])
                    for bad in checked[1]]
    return fsck, host, problems


def without_pre_existing(result, baseline):
    """result with the problems the baseline run (the same kernel and
    workload without the conversions) showed too moved to pre_existing:
    the conversions did not cause them."""
    new, pre = serial_log.split_pre_existing(result.problems,
                                             baseline.problems)
    return result._replace(problems=new, pre_existing=tuple(pre))


def run(copy, convs, filesystems, opts, label, seed=None):
    """Build and boot once; a Result.  seed: (file, function, text) to
    plant at the function's top, or None."""
    os.makedirs(opts.out, exist_ok=True)
    status, instrumented, written = _prepare_tree(copy, convs, seed,
                                                  opts.overlay)
    tracking = status.endswith("=y")
    build_log = os.path.join(opts.out, "build-%s.log" % label)
    print("vm-test: [%s] building the kernel (%d files changed since the "
          "last build; log %s)" % (label, len(written), build_log),
          flush=True)
    build_s, build_cpu, config, ccache = build_kernel(
        copy, filesystems, tracking, opts, build_log)
    instrumented, unbuilt = built_only(copy.build, instrumented)
    work = os.path.join(copy.root, "guest")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    init = initramfs.build_init(os.path.join(work, "init"))
    imgs = [images.make_image(fs, work) for fs in filesystems]
    disks = list(zip(filesystems, qemu.disk_names(len(imgs))))
    initrd = os.path.join(work, "initramfs.cpio")
    initramfs.write(initrd, init,
                    initramfs.guest_conf(disks, opts.workers, opts.scale))
    accel = qemu.accel(opts.accel)
    serial = os.path.join(opts.out, "serial-%s.log" % label)
    print("vm-test: [%s] booting (%s, %d CPUs, %s, %d disks; serial log %s)"
          % (label, accel, opts.cpus, opts.mem, len(imgs), serial),
          flush=True)
    kernel = os.path.join(copy.build, "arch", "x86", "boot", "bzImage")
    boot_s, timed_out = qemu.boot(kernel, initrd, imgs, serial, opts.timeout,
                                  opts.mem, accel, opts.cpus,
                                  kernel_parameters(filesystems))
    with open(serial, errors="replace") as f:
        log = serial_log.Log(f.read())
    problems = log.problems(timed_out, opts.timeout)
    fsck, host, more = check_images(filesystems, imgs, log, work)
    problems += more
    if tracking and not log.tracking and log.kernel:
        problems.append(serial_log.Finding(
            "overlay", "CONFIG_%s=y but no '%s' line at boot"
            % (overlay.OPTION, serial_log.TRACKING_LINE), []))
    # Only a clean run that got to its end must show the counts: a seeded
    # or broken one has its own findings
    if tracking and log.done and not seed:
        problems += serial_log.smp_problems(log.stats, opts.cpus)
    return Result(label, problems, log, build_s, build_cpu, boot_s,
                  timed_out, accel,
                  config, status, instrumented, fsck, ccache, len(written),
                  serial, host, opts.cpus, unbuilt)
