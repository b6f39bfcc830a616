# SPDX-License-Identifier: GPL-2.0-only
"""pytest configuration shared by every component's tests.

Markers:
  real_kernel  needs Debian's kernel source (unpacked at test time) or
               builds a kernel; "make check" leaves these out.  A test
               using one of REAL_KERNEL_FIXTURES gets it by itself.
  slow         waits out a timeout by design; "make check" leaves these
               out too.
  prerequisite set by testlib.needs(): when it is missing the test
               skips on a developer's machine and fails in CI (CI=true).
"""

from testlib import cannot_run

# Fixtures that unpack Debian's kernel source.
REAL_KERNEL_FIXTURES = {"real_tree", "tree61", "ceph_tree"}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_kernel: needs a real kernel tree or kernel build "
        "(not in make check)")
    config.addinivalue_line(
        "markers", "prerequisite(ok, reason): when not ok, skip here and "
        "fail in CI")
    config.addinivalue_line(
        "markers", "slow: waits out a timeout by design (not in make check)")


def pytest_collection_modifyitems(config, items):
    for item in items:
        if REAL_KERNEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker("real_kernel")


def pytest_runtest_setup(item):
    for mark in item.iter_markers("prerequisite"):
        if not mark.kwargs["ok"]:
            cannot_run(mark.kwargs["reason"])
