# SPDX-License-Identifier: GPL-2.0-only
"""What the tests of every component share: where things are, running
the project's commands as make runs them, the rule that a test which
cannot run fails in CI, and golden files.

Imported by name (tests/ is on pytest's path, see pyproject.toml).
"""

import difflib
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SEMANTIC_PATCH = REPO / "semantic-patches" / "kmap_local.cocci"
# Debian's kernel source packages: linux-source-6.1 is the evaluation
# base, linux-source-6.12 the newest tree (.ci/packages installs both).
TARBALL_61 = "/usr/src/linux-source-6.1.tar.xz"
TARBALL_612 = "/usr/src/linux-source-6.12.tar.xz"
# Every Python package of the project, as the Makefile runs them.
PYTHONPATH = os.pathsep.join(str(REPO / d) for d in ("tools", "reports",
                                                     "vm"))
# UPDATE_GOLDEN=1 rewrites every golden file instead of comparing
# (make golden); read the diff before committing it.
UPDATE_GOLDEN = os.environ.get("UPDATE_GOLDEN") == "1"


def in_ci():
    return os.environ.get("CI", "").lower() not in ("", "0", "false", "no")


def cannot_run(reason):
    """Skip on a developer's machine, fail in CI: there every test must
    run, and a missing tool or tree is a defect of .ci/packages."""
    if in_ci():
        pytest.fail("cannot run in CI: %s" % reason, pytrace=False)
    pytest.skip(reason)


def needs(ok, reason):
    """A mark (decorator or pytestmark) for a prerequisite: when OK is
    false the test calls cannot_run(REASON) as it starts."""
    return pytest.mark.prerequisite(ok=bool(ok), reason=reason)


def needs_file(path, package):
    return needs(os.path.isfile(path), "%s is missing (Debian package %s)"
                 % (path, package))


def run_module(module, *args, cwd=REPO, env=None, **kw):
    """python3 -m MODULE ARGS with the project's packages importable,
    output captured as text, stdin closed."""
    full = dict(os.environ if env is None else env, PYTHONPATH=PYTHONPATH)
    kw.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run([sys.executable, "-m", module]
                          + [str(a) for a in args], cwd=cwd, env=full,
                          text=True, capture_output=True, **kw)


def check_golden(path, got):
    """GOT equals the golden file PATH, or with UPDATE_GOLDEN=1 becomes
    it."""
    path = Path(path)
    if UPDATE_GOLDEN:
        path.write_text(got)
    want = path.read_text()
    assert got == want, "%s differs (UPDATE_GOLDEN=1 rewrites it):\n%s" % (
        path.name, "".join(difflib.unified_diff(
            want.splitlines(True), got.splitlines(True), "expected", "got")))
