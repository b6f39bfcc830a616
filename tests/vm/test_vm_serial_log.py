# SPDX-License-Identifier: GPL-2.0-only
"""The verdict read from a serial log (golden logs in data/):
serial-seeded.log is an excerpt of a real self-test run (stock kernel
output with the kmap_local overlay in), serial-rules.log has one line of
each kind the harness must fail on, and lines it must not."""

import os

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
from vmtest import serial_log


def load(name):
    with open(os.path.join(DATA, name), errors="replace") as f:
        return serial_log.Log(f.read())


def test_seeded_run():
    log = load("serial-seeded.log")
    assert log.kernel == "6.1.192"
    assert log.tracking
    assert log.init_at == 0.447095
    assert log.reached == ["do_journal_end", "cramfs_blkdev_read"]
    assert log.done == (2016, 63069090, 9, 28)
    assert log.files == {"ext2": {"w2/f0": (5003, 0xdfb913fc),
                                  "w2/f1": (21, 0xc31f5516),
                                  "w2/a/b/c/r2": (50, 0x505a27a9)}}
    kinds = [f.kind for f in log.findings]
    assert kinds == ["kmap_local", "warning", "kmap_local"]
    report, warning, again = log.findings
    assert report.line.startswith("kmap_local: out-of-order unmap at "
                                  "cramfs_blkdev_read+0x57/0x2e0 in init/1")
    # the evidence belongs to the report, and is not a report itself
    assert report.context == [report.line, "kmap_local:   mapping 1 from "
                              "cramfs_blkdev_read+0x4e/0x2e0 must be "
                              "unmapped first"]
    assert warning.line.startswith("WARNING: CPU: 0 PID: 1 at ")
    assert serial_log.first_frames(warning.context) == [
        "kunmap_local_indexed", "cramfs_blkdev_read",
        "cramfs_blkdev_fill_super", "get_tree_bdev", "cramfs_get_tree",
        "vfs_get_tree"]
    # the same report from another task is counted with the first
    groups = serial_log.grouped(log.findings)
    assert [(f.kind, n) for f, n in groups] == [("kmap_local", 2),
                                                ("warning", 1)]
    assert log.problems(False, 900) == log.findings


def test_every_rule():
    log = load("serial-rules.log")
    got = [(f.kind, f.line.split(":")[0]) for f in log.findings]
    assert got == [
        ("fs-error", "EXT4-fs error (device vdb)"),
        ("fs-error", "EXT2-fs (vda)"),
        ("fs-error", "SQUASHFS error"),
        ("fs-error", "blk_update_request"),
        ("bug", "BUG"),
        ("bug", "kernel BUG at fs/buffer.c"),
        ("oops", "invalid opcode"),
        ("kmap_local", "kmap_local"),
        ("workload", "KMAPWORK"),
        ("oops", "Kernel panic - not syncing"),
    ]
    leak = log.findings[7]
    assert leak.line == "kmap_local: leak at exit in init/51: 2 still mapped"
    assert len(leak.context) == 3
    assert log.reached == ["ext2_make_empty", "minix_make_empty"]
    assert log.tracking
    # no "KMAPWORK: done": the guest did not finish
    problems = log.problems(True, 900)
    assert problems[-1].kind == "incomplete"
    assert problems[-1].line == "the guest timed out after 900 s"
    assert log.problems(False, 900)[-1].line == \
        "the guest stopped before the workload finished"


def test_clean_log_has_no_findings():
    log = serial_log.Log(
        "[    0.1] kmap_local: tracking enabled\n"
        "[    2.3] kmap_local: init/45 used greatest depth: 2 mappings\n"
        "KMAPWORK: phase 1: 3 files (10 bytes) checked, 0 failures\n"
        "KMAPWORK: done: 3 files checked, 10 bytes, 0 failures, 1 s\n")
    assert log.findings == []
    assert log.problems(False, 900) == []


def test_kernel_message_inside_other_output_is_split_off():
    log = serial_log.Log(
        "Booting from ROM..\x1bc\x1b[?7l\x1b[2J[    0.000000] Linux version "
        "6.1.192 (root@vm) #5 PREEMPT\r\n"
        "KMAPWORK: file ext4 w2/f15 13746 42ba9304[   24.088507] kmap_local:"
        " out-of-order unmap at f+0x57/0x2e0 in init/120 of mapping 0 from "
        "f+0x34/0x2e0\n"
        "[   24.088507] kmap_local:   mapping 1 from f+0x4e/0x2e0 must be "
        "unmapped first\n")
    assert log.kernel == "6.1.192"
    assert log.files == {"ext4": {"w2/f15": (13746, 0x42ba9304)}}
    assert [f.kind for f in log.findings] == ["kmap_local"]
    assert log.findings[0].context[1].startswith("kmap_local:   mapping 1")
    assert log.times[-2:] == [24.088507, 24.088507]


def warning_log(cpu, pid, caller, at="mm/highmem.c:612"):
    """A WARNING from kunmap_local_indexed() called by caller, as the
    kernel prints it (numbers as a given boot has them)."""
    return "\n".join([
        "[    3.1] ------------[ cut here ]------------",
        "[    3.1] WARNING: CPU: %d PID: %d at %s "
        "kunmap_local_indexed+0x4d/0x140" % (cpu, pid, at),
        "[    3.1] CPU: %d PID: %d Comm: kmapwork Not tainted 6.12.118 #1"
        % (cpu, pid),
        "[    3.1] EIP: kunmap_local_indexed+0x4d/0x140",
        "[    3.1] Call Trace:",
        "[    3.1]  ? show_regs+0x%x/0x60" % (pid + 16),
        "[    3.1]  kunmap_local_indexed+0x4d/0x140",
        "[    3.1]  %s+0x1a%d/0x2c0" % (caller, cpu),
        "[    3.1]  filemap_read_folio+0x32/0xa0",
        "[    3.1] ---[ end trace 0000000000000000 ]---",
        ""])


def test_findings_the_unpatched_kernel_shows_too_are_pre_existing():
    # The same warning from the same code, on another CPU and task and
    # at other offsets, is the unpatched kernel's; one from a converted
    # function, or from another line, is the conversions'.
    patched = serial_log.Log(
        warning_log(2, 85, "romfs_read_folio")
        + warning_log(1, 90, "ext2_get_page")
        + warning_log(3, 85, "romfs_read_folio", at="mm/highmem.c:640")
        + "[    5.0] KMAPWORK: FAIL udf w1/f0 crc mismatch\n"
        + "[    5.1] KMAPWORK: FAIL ext2 w2/f1 crc mismatch\n")
    unpatched = serial_log.Log(
        warning_log(0, 77, "romfs_read_folio")
        + "[    6.0] KMAPWORK: FAIL udf w1/f0 crc mismatch\n")
    new, pre = serial_log.split_pre_existing(patched.findings,
                                             unpatched.findings)
    assert [(f.kind, serial_log.first_frames(f.context)[1:2] or f.line)
            for f in pre] == [
        ("warning", ["romfs_read_folio"]),
        ("workload", "KMAPWORK: FAIL udf w1/f0 crc mismatch")]
    assert [(f.kind, serial_log.first_frames(f.context)[1:2] or f.line)
            for f in new] == [
        ("warning", ["ext2_get_page"]),
        ("warning", ["romfs_read_folio"]),
        ("workload", "KMAPWORK: FAIL ext2 w2/f1 crc mismatch")]
    # The run's own checks never come from the baseline.
    smp = serial_log.Finding("smp", "local mappings per CPU [1, 0]", [])
    assert serial_log.split_pre_existing([smp], [smp]) == ([smp], [])


def test_a_run_keeps_only_what_the_conversions_brought():
    from vmtest import harness
    patched = serial_log.Log(warning_log(2, 85, "romfs_read_folio")
                             + warning_log(1, 90, "ext2_get_page"))
    unpatched = serial_log.Log(warning_log(0, 77, "romfs_read_folio"))
    fields = {name: None for name in harness.Result._fields}

    def result(log):
        return harness.Result(**dict(fields, problems=log.findings, log=log,
                                     pre_existing=()))
    kept = harness.without_pre_existing(result(patched), result(unpatched))
    assert [serial_log.first_frames(f.context)[1] for f in kept.problems] \
        == ["ext2_get_page"]
    assert [serial_log.first_frames(f.context)[1]
            for f in kept.pre_existing] == ["romfs_read_folio"]
