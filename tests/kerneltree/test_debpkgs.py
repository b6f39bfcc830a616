# SPDX-License-Identifier: GPL-2.0-only
"""One list of Debian packages: what CI installs is what the commands
check, read from the same .ci/packages files."""

import os
import subprocess

import pytest

from kerneltree import debpkgs
from kmapconv import deps
from testlib import REPO
from vmtest import deps as vm_deps


def test_parse_names_probes_and_comments():
    text = ("# a comment\nclang-14\tclang-14\n\nlibelf-dev  /usr/include/"
            "libelf.h  # why\nparallel\n")
    assert debpkgs.parse(text) == [
        debpkgs.Package("clang-14", "clang-14"),
        debpkgs.Package("libelf-dev", "/usr/include/libelf.h"),
        debpkgs.Package("parallel")]


def test_ci_installs_every_package_a_command_checks():
    # The same words .ci/run hands to apt-get.
    listed = subprocess.run(
        "sed -e 's/#.*//' .ci/packages/* | awk 'NF { print $1 }' | sort -u",
        shell=True, cwd=REPO, capture_output=True, text=True,
        check=True).stdout.split()
    checked = {p.name for p in deps.AUDIT_PACKAGES}
    checked |= {p.name for p in vm_deps.needed([])}
    assert checked <= set(listed)
    for name in os.listdir(debpkgs.PACKAGES_DIR):
        assert debpkgs.group(name), name


def test_missing_uses_the_probes(tmp_path):
    there = tmp_path / "here.h"
    there.write_text("")
    pkgs = [debpkgs.Package("a", str(there)),
            debpkgs.Package("b", str(tmp_path / "absent.h")),
            debpkgs.Package("c", "no-such-program-anywhere"),
            debpkgs.Package("b", str(tmp_path / "absent.h")),
            debpkgs.Package("d")]
    assert debpkgs.missing(pkgs) == ["b", "c"]


def test_not_root_names_the_command(monkeypatch):
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(debpkgs.MissingPackages) as e:
        debpkgs.ensure([debpkgs.Package("zz", "no-such-program-anywhere")])
    assert str(e.value) == ("missing Debian packages; run: sudo apt-get "
                            "install -y zz")
