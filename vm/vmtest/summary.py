# SPDX-License-Identifier: GPL-2.0-only
"""What a run prints, and OUT/summary.json."""

import json
import os

from . import reach, serial_log

# Options worth naming in the summary (the rest are in the build dir).
SHOWN_OPTIONS = ("HIGHMEM4G", "DEBUG_KMAP_LOCAL", "DEBUG_KMAP_LOCAL_FORCE_MAP",
                 "KMAP_LOCAL_TRACK", "PREEMPT", "HZ_1000", "SMP",
                 "DEBUG_LIST", "KALLSYMS")


def options_line(config):
    return " ".join("%s=%s" % (o, config.get(o, "n")) for o in SHOWN_OPTIONS
                    if o in config or o in ("SMP", "KMAP_LOCAL_TRACK"))


def _finding_lines(finding, count, limit=12):
    out = ["  [%s] %s%s" % (finding.kind, finding.line,
                            " (x%d)" % count if count > 1 else "")]
    frames = serial_log.first_frames(finding.context)
    if frames:
        out.append("      backtrace: " + " < ".join(frames))
    elif finding.kind == "kmap_local":
        out += ["      " + l for l in finding.context[1:limit]]
    elif finding.context and finding.kind == "incomplete":
        out += ["      | " + l for l in finding.context[-limit:]]
    return out


def describe(result, convs, filesystems):
    log = result.log
    rewritten = sum(len(c.rewritten) for c in convs)
    table = reach.per_filesystem(result.instrumented, log.reached,
                                 filesystems)
    got, of = reach.total(table)
    lines = [
        "kernel:      %s (ARCH=i386), built in %.0f s, %.0f CPU-s (%d "
        "source files changed; ccache %d hits, %d misses)" % (
            log.kernel or "?", result.build_seconds, result.build_cpu,
            result.rebuilt_files,
            result.ccache.get("direct_cache_hit", 0)
            + result.ccache.get("preprocessed_cache_hit", 0),
            result.ccache.get("cache_miss", 0)),
        "config:      " + options_line(result.config),
        "overlay:     %s%s" % (result.overlay,
                               "; boot line seen" if log.tracking else ""),
        "converted:   %d sites rewritten in %d functions: %s" % (
            rewritten, len({(s["file"], s["function"]) for c in convs
                            for s in c.rewritten}),
            ", ".join("%s %d" % (c.subsys, len(c.rewritten))
                      for c in convs)),
        "reached:     %d of %d instrumented converted functions entered "
        "by the workload (%d more in files this configuration does not "
        "build)%s" % (got, of, result.unbuilt,
                      ", per filesystem:" if of else ""),
    ] + reach.lines(table) + [
        "filesystems: " + ", ".join(
            fs.name + (" (%s)" % fs.options if fs.options else "")
            + ("" if fs.writable else " [ro]") for fs in filesystems),
    ]
    lines.append(smp_line(result))
    if log.done:
        files, nbytes, fails, secs = log.done
        lines.append("workload:    %d files checked (%d bytes), %d "
                     "failures, %d s in the guest" % (files, nbytes, fails,
                                                      secs))
    lines.append("boot:        %.0f s in qemu (%s)%s%s" % (
        result.boot_seconds, result.accel,
        ", /init at %.1f s" % log.init_at if log.init_at else "",
        ", TIMED OUT" if result.timed_out else ""))
    lines.append("host check:  " + (", ".join(
        "%s %d files compared" % kv
        for kv in sorted(result.host_checked.items())) or "none"))
    lines.append("fsck:        " + (", ".join(
        "%s %s" % (name, "clean" if v is None else
                   "none in Debian" if v == "no fsck" else "FAILED")
        for name, v in result.fsck.items()) or "none"))
    return lines


def smp_line(result):
    """What the guest's CPUs went through, from the overlay's counters."""
    log, st = result.log, result.log.stats
    head = "smp:         %d CPUs, %d affinity changes by the workload" % (
        result.cpus, log.moves)
    if st is None:
        return head + "; no overlay counters"
    return head + (
        "; overlay: %d local mappings (per CPU %s), %d context switches "
        "holding a mapping (%d with the affinity moved away), %d "
        "migrations between mappings, %d holding one, %d interrupt maps "
        "over a held mapping, %d unmaps on a foreign CPU" % (
            st.get("maps", 0),
            "/".join(str(n) for n in st.get("maps_per_cpu", [])),
            st.get("held_switches", 0), st.get("held_affinity_moved", 0),
            st.get("migrations", 0), st.get("held_migrations", 0),
            st.get("irq_maps_held", 0), st.get("foreign_unmaps", 0)))


def print_result(result, convs, filesystems):
    verdict = "PASS" if not result.problems else "FAIL"
    print("vm-test [%s]: %s" % (result.label, verdict))
    for line in describe(result, convs, filesystems):
        print("  " + line)
    if result.problems:
        groups = serial_log.grouped(result.problems)
        print("  problems (%d, %d distinct; serial log %s):" % (
            len(result.problems), len(groups), result.serial_path))
        for finding, count in groups[:15]:
            for line in _finding_lines(finding, count):
                print("  " + line)
        if len(groups) > 15:
            print("    ... %d more distinct problems in summary.json"
                  % (len(groups) - 15))
    if result.pre_existing:
        groups = serial_log.grouped(result.pre_existing)
        print("  pre-existing (%d, %d distinct): the kernel without the "
              "conversions reports the same, so they are not counted; a "
              "warning the kernel prints once per boot can hide a later "
              "one of the same kind:" % (len(result.pre_existing),
                                         len(groups)))
        for finding, count in groups[:15]:
            for line in _finding_lines(finding, count):
                print("  " + line)


def to_json(result, convs, filesystems):
    return {
        "label": result.label,
        "pass": not result.problems,
        "kernel": result.log.kernel,
        "build_seconds": round(result.build_seconds, 1),
        "build_cpu_seconds": round(result.build_cpu, 1),
        "boot_seconds": round(result.boot_seconds, 1),
        "accel": result.accel,
        "timed_out": result.timed_out,
        "overlay": result.overlay,
        "tracking_line_seen": result.log.tracking,
        "options": {o: result.config.get(o, "n") for o in SHOWN_OPTIONS},
        "subsystems": [{"subsys": c.subsys, "rewritten": len(c.rewritten),
                        "summary": c.summary} for c in convs],
        "filesystems": [fs.name for fs in filesystems],
        "instrumented": ["%s:%s" % pf for pf in result.instrumented],
        "reached": result.log.reached,
        "reach": {r.name: {"reached": r.reached,
                           "instrumented": r.instrumented}
                  for r in reach.per_filesystem(
                      result.instrumented, result.log.reached, filesystems)
                  if r.instrumented},
        "cpus": result.cpus,
        "instrumented_not_built": result.unbuilt,
        "affinity_changes": result.log.moves,
        "overlay_counters": result.log.stats,
        "workload": dict(zip(("files", "bytes", "failures", "seconds"),
                             result.log.done)) if result.log.done else None,
        "fsck": result.fsck,
        "host_checked": result.host_checked,
        "problems": [{"kind": f.kind, "line": f.line,
                      "backtrace": serial_log.first_frames(f.context)}
                     for f in result.problems],
        "pre_existing": [{"kind": f.kind, "line": f.line,
                          "backtrace": serial_log.first_frames(f.context)}
                         for f in result.pre_existing],
        "serial_log": result.serial_path,
    }


def write_json(path, runs):
    with open(path + ".tmp", "w") as f:
        json.dump(runs, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(path + ".tmp", path)
