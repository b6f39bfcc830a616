# SPDX-License-Identifier: GPL-2.0-only
"""vm-test command line (make vm-test maps its variables to these).

Exit status: 0 pass (with --selftest: the clean run passed and the
seeded defect was reported), 1 a run failed (or the seeded defect went
unnoticed), 2 bad input or a step that could not run (one line
"vm-test: <problem>").
"""

import argparse
import os
import re
import sys
import time

from . import (conversions, deps, filesystems, harness, kconfig, reach,
               selftest, serial_log, summary)
from .errors import VmTestError
from kerneltree.cliargs import positive as _positive
from .tree import BuildCopy

TOP = conversions.TOP


def parser():
    p = argparse.ArgumentParser(
        prog="vm-test", description="Convert subsystems of a kernel tree, "
        "build an i386 HIGHMEM kernel with them and boot it under QEMU with "
        "a filesystem workload.")
    p.add_argument("--subsys", action="append", default=[],
                   help="converted directory to test, repeatable or space "
                   "separated (default: %s)"
                   % " ".join(filesystems.DEFAULT_SUBSYS))
    p.add_argument("--ksrc", help="kernel tree (default: make convert's, "
                   "the newest Debian linux-source-X.Y, unpacked once into "
                   "the cache)")
    p.add_argument("--out", default=os.path.join(TOP, "out", "vm"),
                   help="where logs and summary.json go (default out/vm)")
    p.add_argument("--jobs", type=_positive,
                   default=len(os.sched_getaffinity(0)))
    p.add_argument("--selftest", action="store_true",
                   help="after the clean run, seed an out-of-order unmap in "
                   "a converted function the workload reached; pass only "
                   "if that is reported")
    p.add_argument("--timeout", type=_positive, default=900,
                   help="seconds the guest may take (default 900)")
    p.add_argument("--accel", default="tcg", choices=("tcg", "kvm"),
                   help="QEMU accelerator (default tcg)")
    p.add_argument("--mem", default="2G")
    p.add_argument("--cpus", type=_positive, default=4,
                   help="guest CPUs (default 4; the summary's per-CPU and "
                   "migration counts need more than one)")
    p.add_argument("--workers", type=_positive, default=4,
                   help="processes per filesystem (default 4)")
    p.add_argument("--scale", type=_positive, default=4,
                   help="file sizes x scale/4 (default 4)")
    p.add_argument("--no-overlay", dest="overlay", action="store_false",
                   help="build without kernel-overlay/install.sh (stock "
                   "DEBUG_KMAP_LOCAL checks only)")
    p.add_argument("--python", default="/usr/bin/python3",
                   help="interpreter for the converter")
    return p


def _kmapconv():
    from kmapconv import deps, ksrc
    return deps, ksrc


def resolve_ksrc(arg):
    """KSRC's real path, or make convert's default tree (the newest
    Debian linux-source-X.Y) unpacked by the converter's own helper (one
    cache for the whole project)."""
    _, ksrc = _kmapconv()
    from kmapconv.errors import KmapconvError
    try:
        if arg:
            return ksrc.validate_tree(arg)
        package, tarball = ksrc.default_source()
        if not os.path.isfile(tarball):
            raise VmTestError("%s is missing (Debian package %s)"
                              % (tarball, package))
        return ksrc.validate_tree(ksrc.unpack(tarball))
    except KmapconvError as e:
        raise VmTestError(str(e))


def cache_dir():
    _, ksrc = _kmapconv()
    return ksrc.cache_dir()


def _slug(subsys):
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", subsys)


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return _main(args)
    except VmTestError as e:
        print("vm-test: %s" % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _main(args):
    start = time.monotonic()
    wanted = [s for arg in args.subsys for s in arg.split()] \
        or list(filesystems.DEFAULT_SUBSYS)
    fss, unknown = filesystems.for_subsys(wanted)
    if unknown:
        raise VmTestError("no workload exercises %s (known: %s)" % (
            ", ".join(unknown), " ".join(filesystems.DEFAULT_SUBSYS)))
    wanted = list(dict.fromkeys(s.rstrip("/") for s in wanted))
    most = int(kconfig.read_fragment(kconfig.BASE_FRAGMENT).get("NR_CPUS",
                                                                "1"))
    if args.cpus > most:
        raise VmTestError("CPUS=%d, but the guest kernel is built for at "
                          "most %d (NR_CPUS in vm/kernel.config)"
                          % (args.cpus, most))
    # Bad input is reported before anything is installed.
    ksrc = resolve_ksrc(args.ksrc)
    deps.ensure(fss)
    cache = cache_dir()
    opts = harness.Options(args.jobs, args.timeout, args.accel, args.mem,
                           args.workers, args.scale, cache,
                           os.path.abspath(args.out), args.overlay,
                           args.cpus)
    with BuildCopy(ksrc, cache) as copy:
        convs = []
        for subsys in wanted:
            out = os.path.join(copy.root, "convert", _slug(subsys))
            conv = conversions.run_convert(subsys, ksrc, out, args.jobs,
                                           args.python)
            print("vm-test: %s" % conv.summary, flush=True)
            convs.append(conv)
        if not args.subsys:
            fss, idle = filesystems.exercising(fss, {
                c.subsys: len(c.rewritten) for c in convs})
            if idle:
                print("vm-test: left out of the default set, no site "
                      "rewritten in what they exercise: %s"
                      % ", ".join(fs.name for fs in idle), flush=True)
            if not fss:
                raise VmTestError("no site is rewritten in %s: nothing "
                                  "to boot" % " ".join(wanted))
        clean = harness.run(copy, convs, fss, opts, "clean")
        runs = []
        if any(f.kind in serial_log.KERNEL_KINDS for f in clean.problems):
            clean = _against_baseline(copy, clean, fss, opts, runs)
        _check_reach(copy, clean, fss)
        summary.print_result(clean, convs, fss)
        runs.insert(0, summary.to_json(clean, convs, fss))
        status = 0 if not clean.problems else 1
        if args.selftest:
            status = max(status, _selftest(copy, convs, fss, opts, clean,
                                           runs))
        summary.write_json(os.path.join(opts.out, "summary.json"), runs)
    print("vm-test: %s in %.0f s (results in %s)" % (
        "PASS" if status == 0 else "FAIL", time.monotonic() - start,
        opts.out))
    return status


def _against_baseline(copy, clean, fss, opts, runs):
    """Boot the same kernel without the conversions, with the same
    workload: what it reports too was there before them (an upstream
    bug in code the patch does not touch), listed but not failed on."""
    print("vm-test: [clean] %d problems; building and booting the kernel "
          "without the conversions to tell pre-existing ones apart"
          % len(clean.problems), flush=True)
    baseline = harness.run(copy, [], fss, opts, "baseline")
    print("vm-test [baseline]: %d problems without the conversions "
          "(serial log %s)" % (len(baseline.problems), baseline.serial_path))
    record = summary.to_json(baseline, [], fss)
    record["pass"] = None   # not a verdict: what the tree does unpatched
    runs.append(record)
    return harness.without_pre_existing(clean, baseline)


def _check_reach(copy, clean, fss):
    """A clean run that reaches fewer rewritten functions of a filesystem
    than the best earlier run of this tree fails; a passing one raises
    the best."""
    path = os.path.join(copy.root, "reach.json")
    table = reach.per_filesystem(clean.instrumented, clean.log.reached, fss)
    best = reach.load(path)
    clean.problems.extend(reach.regressions(table, best))
    if not clean.problems:
        reach.save(path, table, best)


def _selftest(copy, convs, fss, opts, clean, runs):
    target = selftest.choose_target(clean)
    if not target:
        print("vm-test [selftest]: FAIL: the workload entered none of the "
              "%d instrumented converted functions; nothing to seed"
              % len(clean.instrumented))
        return 1
    status = 0
    for seed in selftest.SEEDS:
        if opts.cpus < seed.min_cpus:
            print("vm-test: [selftest-%s] skipped: needs %d CPUs, the "
                  "guest has %d" % (seed.name, seed.min_cpus, opts.cpus))
            continue
        status = max(status, _seeded_run(copy, convs, fss, opts, target,
                                         seed, runs))
    return status


def _seeded_run(copy, convs, fss, opts, target, seed, runs):
    label = "selftest-" + seed.name
    print("vm-test: [%s] seeding %s at the top of %s() in %s"
          % (label, seed.what, target[1], target[0]), flush=True)
    seeded = harness.run(copy, convs, fss, opts, label,
                         seed=target + (seed.text,))
    summary.print_result(seeded, convs, fss)
    hits = selftest.detected(seeded)
    record = summary.to_json(seeded, convs, fss)
    record["seeded"] = "%s:%s" % target
    record["seed"] = seed.name
    record["detected"] = bool(hits)
    runs.append(record)
    if hits:
        print("vm-test [%s]: PASS: the seeded defect in %s() was "
              "reported: %s" % (label, target[1], hits[0].line))
        return 0
    print("vm-test [%s]: FAIL: the seeded defect in %s() was not "
          "reported" % (label, target[1]))
    return 1
