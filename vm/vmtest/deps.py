# SPDX-License-Identifier: GPL-2.0-only
"""The Debian packages a vm-test run needs: CI's lists kbuild and vm
(.ci/packages/), and the tools each filesystem's workload runs.

As root the missing ones are installed with apt-get, as the converter
does; otherwise the one command to run is named.
"""

from kerneltree import debpkgs

from .errors import VmTestError


def needed(filesystems):
    need = debpkgs.group("kbuild") + debpkgs.group("vm")
    for fs in filesystems:
        need += [debpkgs.Package(fs.package, argv[0])
                 for argv in (fs.make, fs.fsck, fs.dump) if argv]
    return need


def missing(filesystems):
    return debpkgs.missing(needed(filesystems))


def ensure(filesystems):
    try:
        debpkgs.ensure(needed(filesystems))
    except debpkgs.MissingPackages as e:
        raise VmTestError(str(e))
