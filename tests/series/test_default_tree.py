# SPDX-License-Identifier: GPL-2.0-only
"""The default tree: the newest linux-source-X.Y Debian ships, installed
or installable, compared as versions (6.12 is newer than 6.9)."""

import os

from kmapconv import ksrc, run


def test_newest_of_installed_and_installable(tmp_path, monkeypatch):
    monkeypatch.setattr(ksrc, "SOURCE_DIR", str(tmp_path))
    (tmp_path / "linux-source-6.1.tar.xz").write_text("")
    (tmp_path / "linux-source-6.9.tar.xz").write_text("")
    monkeypatch.setattr(run, "apt_cache_pkgnames", lambda prefix: [
        "linux-source", "linux-source-6.1", "linux-source-6.12",
        "linux-source-6.12-rt"])
    assert ksrc.default_source() == (
        "linux-source-6.12", str(tmp_path / "linux-source-6.12.tar.xz"))


def test_installed_only_when_apt_knows_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(ksrc, "SOURCE_DIR", str(tmp_path))
    (tmp_path / "linux-source-5.10.tar.xz").write_text("")
    (tmp_path / "linux-source-6.1.tar.xz").write_text("")
    monkeypatch.setattr(run, "apt_cache_pkgnames", lambda prefix: [])
    assert ksrc.default_source()[0] == "linux-source-6.1"


def test_eval_base_when_nothing_is_known(tmp_path, monkeypatch):
    monkeypatch.setattr(ksrc, "SOURCE_DIR", str(tmp_path))
    monkeypatch.setattr(run, "apt_cache_pkgnames", lambda prefix: [])
    package, tarball = ksrc.default_source()
    assert package == ksrc.EVAL_BASE
    assert tarball == os.path.join(str(tmp_path), package + ".tar.xz")


def test_this_machine_defaults_to_a_newer_tree_than_eval_base():
    # Debian ships 6.12 beside 6.1 (.ci/packages/convert installs both).
    package, _ = ksrc.default_source()
    assert ksrc._version(package) > ksrc._version(ksrc.EVAL_BASE)
