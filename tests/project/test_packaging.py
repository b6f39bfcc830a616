# SPDX-License-Identifier: GPL-2.0-only
"""The Python packages install from the one pyproject.toml with a command
each, and no package reaches into another's private names."""

import re
import zipfile

from testlib import REPO

PACKAGE_DIRS = {"kmapconv": "tools/kmapconv", "kerneltree": "tools/kerneltree",
                "kmapreview": "reports/kmapreview", "vmtest": "vm/vmtest"}


def test_wheel_has_every_package_and_command(tmp_path, monkeypatch):
    from setuptools import build_meta
    monkeypatch.chdir(REPO)
    # setuptools leaves its build/ and egg-info beside pyproject.toml.
    build = REPO / "build"
    egg = REPO / "kmapconv.egg-info"
    existed = build.exists(), egg.exists()
    try:
        name = build_meta.build_wheel(str(tmp_path))
    finally:
        import shutil
        for path, was in zip((build, egg), existed):
            if not was:
                shutil.rmtree(path, ignore_errors=True)
    with zipfile.ZipFile(tmp_path / name) as wheel:
        names = wheel.namelist()
        entry = next(n for n in names if n.endswith("entry_points.txt"))
        scripts = wheel.read(entry).decode()
    for package in PACKAGE_DIRS:
        assert "%s/__init__.py" % package in names, package
    assert "kmapreview/checks/__init__.py" in names
    for line in ("kmapconv = kmapconv.cli:main",
                 "kmapreview = kmapreview.cli:main",
                 "vm-test = vmtest.cli:main"):
        assert line in scripts


def test_no_private_imports_across_packages():
    private = re.compile(r"^\s*from (\w+)(?:\.\w+)* import (.*)$", re.M)
    offenders = []
    for package, folder in PACKAGE_DIRS.items():
        for path in sorted((REPO / folder).rglob("*.py")):
            for m in private.finditer(path.read_text()):
                other = m.group(1)
                if other == package or other not in PACKAGE_DIRS:
                    continue
                names = [n.strip().split(" as ")[0]
                         for n in m.group(2).strip("()").split(",")]
                if any(n.startswith("_") for n in names):
                    offenders.append("%s: %s" % (path.relative_to(REPO),
                                                 m.group(0).strip()))
    assert not offenders
