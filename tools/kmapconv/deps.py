# SPDX-License-Identifier: GPL-2.0-only
"""Make sure the Debian packages kmapconv relies on are installed.

A fresh machine should need nothing but "make convert": as root the
missing packages are installed, otherwise the one apt-get command that
fixes it is printed.
"""

import importlib.util
import os

from . import gnuparallel, ksrc, run
from .errors import KmapconvError
from kerneltree import debpkgs

# Debian's 6.1 source: make eval's base, which the review's bench pins
# too.  convert's default (and vm-test's) is ksrc.default_source().
EVAL_BASE_TARBALL = ksrc.source_tarball(ksrc.EVAL_BASE)

# What "verify" needs to configure and compile a kernel tree, and what
# convert --verify adds: kmap-audit is built against libclang and
# prepares its kernel configuration with clang (analysis/README.md).
# The lists are CI's (.ci/packages/), with the file each package installs.
BUILD_PACKAGES = debpkgs.group("kbuild")
AUDIT_PACKAGES = BUILD_PACKAGES + [p for p in debpkgs.group("convert-verify")
                                   if p.probe]


def _have_gnu_parallel():
    # moreutils also ships a "parallel" (Debian diverts it to
    # parallel.moreutils, but only when GNU parallel is installed), and
    # it understands none of the options used here.
    if not run.which("parallel"):
        return False
    return gnuparallel.parallel_version().startswith("GNU parallel")


def missing_packages(need_tarball, need_pytest=False, need_build=False,
                     need_audit=False):
    """Debian packages whose programs or files are missing, in order."""
    missing = []
    if not run.which("spatch"):
        missing.append("coccinelle")
    if not _have_gnu_parallel():
        missing.append("parallel")
    if need_tarball:
        package, tarball = ksrc.default_source()
        if not os.path.isfile(tarball):
            missing.append(package)
    # The interpreter running kmapconv is the one "make test" runs
    # pytest with, so asking it is the right check.
    if need_pytest and importlib.util.find_spec("pytest") is None:
        missing.append("python3-pytest")
    # make check spreads the tests over every core with it.
    if need_pytest and importlib.util.find_spec("xdist") is None:
        missing.append("python3-pytest-xdist")
    wanted = AUDIT_PACKAGES if need_audit else \
        BUILD_PACKAGES if need_build else []
    return list(dict.fromkeys(missing + debpkgs.missing(wanted)))


def check_python_scripting():
    """spatch must be built with Python: the semantic patches print JSON
    from Python script rules."""
    if "Python scripting support: yes" not in run.spatch_version():
        raise KmapconvError("spatch lacks Python scripting support "
                            "(see spatch --version); install Debian's "
                            "coccinelle package")


def ensure(need_tarball, need_pytest=False, need_build=False,
           need_audit=False):
    """Install (as root) or name the missing packages, then check spatch."""
    try:
        debpkgs.ensure([], lambda: missing_packages(
            need_tarball, need_pytest, need_build, need_audit))
    except debpkgs.MissingPackages as e:
        raise KmapconvError(str(e))
    check_python_scripting()
