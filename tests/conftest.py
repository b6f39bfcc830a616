# SPDX-License-Identifier: GPL-2.0-only
"""pytest configuration shared by every component's tests.

Markers:
  real_kernel  needs Debian's kernel source (unpacked at test time) or
               builds a kernel; "make check" leaves these out.
  prerequisite set by testlib.needs(): when it is missing the test
               skips on a developer's machine and fails in CI (CI=true).
"""

from testlib import cannot_run


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "real_kernel: needs a real kernel tree or kernel build "
        "(not in make check)")
    config.addinivalue_line(
        "markers", "prerequisite(ok, reason): when not ok, skip here and "
        "fail in CI")


def pytest_runtest_setup(item):
    for mark in item.iter_markers("prerequisite"):
        if not mark.kwargs["ok"]:
            cannot_run(mark.kwargs["reason"])
