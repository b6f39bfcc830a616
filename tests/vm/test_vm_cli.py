# SPDX-License-Identifier: GPL-2.0-only
"""Bad input ends with one "vm-test: <problem>" line and exit status 2,
before anything is built."""


from testlib import run_module


def vmtest(*args):
    return run_module("vmtest", *args)


def test_subsystem_without_workload():
    proc = vmtest("--subsys", "fs/ext2 fs/gfs2")
    assert proc.returncode == 2
    assert proc.stderr.startswith("vm-test: no workload exercises fs/gfs2 "
                                  "(known: fs/ext2 fs/ext4 fs/jbd2")
    assert len(proc.stderr.splitlines()) == 1


def test_missing_tree(tmp_path):
    proc = vmtest("--subsys", "fs/ext2", "--ksrc", str(tmp_path / "none"))
    assert proc.returncode == 2
    assert proc.stderr == "vm-test: KSRC %s does not exist\n" % (
        tmp_path / "none")


def test_bad_option_value():
    proc = vmtest("--accel", "xen")
    assert proc.returncode == 2
    assert "invalid choice: 'xen'" in proc.stderr


def test_more_cpus_than_the_kernel_has():
    proc = vmtest("--cpus", "9")
    assert proc.returncode == 2
    assert proc.stderr == ("vm-test: CPUS=9, but the guest kernel is built "
                           "for at most 4 (NR_CPUS in vm/kernel.config)\n")
