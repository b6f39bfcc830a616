# SPDX-License-Identifier: GPL-2.0-only
"""The SMP side of the harness: the overlay's counters read from the
serial log and the verdict on them, QEMU's command line for several
CPUs, and the cross-CPU seed (a local address unmapped by another CPU)
landing where the markers go."""

import os
import shutil

from vmtest import funcedit, harness, qemu, selftest, serial_log

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")

STATS = ("[   31.204117] kmap_local: stats: maps=9120 maps_per_cpu=4000,"
         "2000,3000,120 irq_maps_held=3 held_switches=41 "
         "held_affinity_moved=7 migrations=388 held_migrations=0 "
         "foreign_unmaps=0\n")
DONE = "[   31.1] KMAPWORK: done: 10 files checked, 100 bytes, 0 failures, 9 s\n"
MOVES = ("[   12.0] KMAPWORK: phase 1: 812 affinity changes over 4 CPUs "
         "(3 refused: worker gone)\n"
         "[   22.0] KMAPWORK: phase 2: 100 affinity changes over 4 CPUs "
         "(0 refused: worker gone)\n")


def test_counters_are_read_and_are_not_a_report():
    log = serial_log.Log(MOVES + DONE + STATS)
    assert log.findings == []
    assert log.stats == {"maps": 9120, "maps_per_cpu": [4000, 2000, 3000,
                                                        120],
                         "irq_maps_held": 3, "held_switches": 41,
                         "held_affinity_moved": 7, "migrations": 388,
                         "held_migrations": 0, "foreign_unmaps": 0}
    assert (log.moves, log.cpus) == (912, 4)
    assert serial_log.smp_problems(log.stats, 4) == []


def test_zero_counts_missing_line_or_idle_cpu_fail():
    quiet = serial_log.parse_stats(
        "maps=5 maps_per_cpu=5,0 held_switches=0 migrations=0")
    lines = [f.line for f in serial_log.smp_problems(quiet, 2)]
    assert lines == [
        "held_switches: 0 context switches of a task holding a local "
        "mapping",
        "migrations: 0 tasks that mapped on another CPU than before",
        "local mappings per CPU [5, 0]: want 2 CPUs, each above zero"]
    fewer = serial_log.parse_stats(
        "maps_per_cpu=5,6 held_switches=1 migrations=1")
    assert len(serial_log.smp_problems(fewer, 4)) == 1
    assert [f.kind for f in serial_log.smp_problems(None, 4)] == ["smp"]
    # one CPU: nothing to require
    assert serial_log.smp_problems(None, 1) == []


def test_overlay_smp_reports_fail_the_run():
    log = serial_log.Log(
        "[ 1.0] kmap_local: unmap on CPU 2 at f+0x1/0x9 in swapper/2/0 of "
        "an address in CPU 0's slots\n"
        "[ 1.1] kmap_local: migrated from CPU 1 to CPU 3 in w/9 holding 1 "
        "mappings\n"
        "[ 1.1] kmap_local:   mapping 0 from g+0x4/0x20\n")
    assert [f.kind for f in log.findings] == ["kmap_local", "kmap_local"]
    assert log.findings[1].context[1].endswith("mapping 0 from g+0x4/0x20")


def test_qemu_command_several_cpus():
    cmd = qemu.command("qemu-system-i386", "bz", "rd", ["a.img", "b.img"],
                       "2G", "tcg", 4)
    assert cmd[:3] == ["nice", "-n", "19"]
    assert cmd[cmd.index("-smp") + 1] == "4,sockets=4,cores=1,threads=1"
    assert cmd[cmd.index("-accel") + 1] == "tcg,thread=multi"
    assert "virtio-blk-pci,drive=disk1,num-queues=4" in cmd
    assert "file=b.img,format=raw,if=none,id=disk1" in cmd
    one = qemu.command("q", "bz", "rd", ["a.img"], "2G", "kvm", 1)
    assert one[one.index("-accel") + 1] == "kvm"


def test_cross_cpu_seed_lands_at_the_top(tmp_path):
    work = tmp_path / "funcedit.c"
    shutil.copy(os.path.join(DATA, "funcedit.c"), work)
    assert funcedit.insert_at_top(str(work), "type_on_own_line",
                                  funcedit.SEED_CROSS_CPU)
    text = work.read_text()
    assert text.count("__kmap_vm_seed") == 1
    at = text.index(funcedit.SEED_CROSS_CPU)
    assert text[:at].rstrip().endswith("{")


def test_cross_cpu_seed_maps_here_and_unmaps_on_another_cpu():
    seed = funcedit.SEED_CROSS_CPU
    assert seed.index("kmap_local_page(") < seed.index(
        "cpumask_any_but(cpu_online_mask") < seed.index(
        "smp_call_function_single(") < seed.index("kunmap_local_indexed")
    # the address itself is what the other CPU gets, and nothing here
    # unmaps it
    assert "kunmap_local(" not in seed
    assert seed.count("{") == seed.count("}")
    assert seed.count("(") == seed.count(")")
    names = [s.name for s in selftest.SEEDS]
    assert names == ["lifo", "cross-cpu"]
    assert dict((s.name, s.min_cpus) for s in selftest.SEEDS) == {
        "lifo": 1, "cross-cpu": 2}


def test_ramdisk_is_loaded_then_mounted_with_its_parameters():
    from vmtest import filesystems, initramfs
    spec = {fs.name: fs for fs in filesystems.FILESYSTEMS}
    conf = initramfs.guest_conf([(spec["ext2"], "vda"),
                                 (spec["ramdisk"], "vdb")], 3, 4)
    assert conf.splitlines()[2:] == [
        "fs ext2 /dev/vda ext2 rw 255",
        "load /dev/vdb /dev/ram0",
        "fs ramdisk /dev/ram0 ext2 rw 255"]
    cmd = qemu.command("q", "bz", "rd", ["a"], "2G", "tcg", 2,
                       harness.kernel_parameters([spec["ramdisk"],
                                                  spec["crypto"]]))
    # both stand on brd: its parameters once
    assert cmd[cmd.index("-append") + 1].endswith(
        "rdinit=/init brd.rd_nr=4 brd.rd_size=32768")
    # the device is emptied at boot: no fsck or copy of the host's image
    assert (spec["ramdisk"].fsck, spec["ramdisk"].dump) == (None, None)


def test_array_is_assembled_before_its_load():
    from vmtest import filesystems, initramfs
    spec = {fs.name: fs for fs in filesystems.FILESYSTEMS}
    conf = initramfs.guest_conf([(spec["ramdisk"], "vda"),
                                 (spec["crypto"], "vdb")], 3, 4)
    assert conf.splitlines()[2:] == [
        "crypto-selftests",
        "load /dev/vda /dev/ram0",
        "fs ramdisk /dev/ram0 ext2 rw 255",
        "md /dev/md0 raid5 64 32768 /dev/ram1 /dev/ram2 /dev/ram3",
        "load /dev/vdb /dev/md0",
        "fs crypto /dev/md0 ext2 rw 255"]
    # its members are not the other RAM disk's, and fit the RAM disks
    members = spec["crypto"].array.members
    assert spec["ramdisk"].load not in members
    assert "brd.rd_nr=%d" % (len(members) + 1) in spec["crypto"].cmdline
    assert "brd.rd_size=%d" % spec["crypto"].array.size_kb \
        in spec["crypto"].cmdline
    # the image fits the array (one member's worth goes to parity)
    data_kb = spec["crypto"].array.size_kb * (len(members) - 1)
    assert spec["crypto"].size_mb * 1024 <= data_kb


def test_optional_options_follow_their_marker(tmp_path):
    from vmtest import kconfig
    frag = tmp_path / "frag"
    frag.write_text("CONFIG_A=y\n# optional (Linux 6.8 and later)\n"
                    "CONFIG_B=y\nCONFIG_C=y\n# a comment\nCONFIG_D=y\n")
    assert kconfig.optional_symbols(str(frag)) == {"B"}
    assert "BLK_DEV_WRITE_MOUNTED" in kconfig.optional_symbols(
        kconfig.BASE_FRAGMENT)
    assert "SMP" not in kconfig.optional_symbols(kconfig.BASE_FRAGMENT)
