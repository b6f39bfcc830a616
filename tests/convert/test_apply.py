# SPDX-License-Identifier: GPL-2.0-only
"""--apply / APPLY=1: OUT/series goes into KSRC completely or not at all."""

import hashlib
import os
import subprocess
from pathlib import Path

import pytest

import series_fixture as fx
from kmapconv import apply, cli, convert, deps, outdir, run, series
from kmapconv.errors import KmapconvError

REPO = Path(__file__).resolve().parents[2]
AUTHOR = "Jane Doe <jane@example.org>"


def tree_state(root):
    """Every file's path and content hash, so that any change shows."""
    state = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in filenames:
            path = os.path.join(dirpath, name)
            with open(path, "rb") as f:
                state[os.path.relpath(path, root)] = hashlib.sha256(
                    f.read()).hexdigest()
    return state


@pytest.fixture
def tree(tmp_path):
    return fx.make_tree(tmp_path / "ksrc")


@pytest.fixture
def series_dir(tmp_path):
    out = tmp_path / "out"
    outdir.publish(str(out), {"series": series.render(
        fx.findings(), author=AUTHOR, date="Thu, 1 Jan 2026 00:00:00 +0000")})
    return out / "series"


def converted(path):
    return fx.source(path, converted=True)


def test_applies_every_patch(tree, series_dir):
    msg = apply.apply_series(str(tree), str(series_dir))
    assert msg == "applied 6 patches to %s" % tree
    for path in fx.LAYOUT:
        assert (tree / path).read_text() == converted(path)
    assert (tree / fx.UNTOUCHED).read_text() == "int zeta;\n"
    assert not [p for p in tree_state(tree) if p.endswith((".orig", ".rej"))]


def test_one_patch_that_does_not_apply_changes_nothing(tree, series_dir):
    # fs/beta is the 4th patch: patches 1-3 would apply, 4 cannot.
    (tree / "fs/beta/super.c").write_text(
        (tree / "fs/beta/super.c").read_text().replace("memcpy", "memmove"))
    before = tree_state(tree)
    with pytest.raises(KmapconvError) as err:
        apply.apply_series(str(tree), str(series_dir))
    assert "0004-beta-Convert-kmap-to-kmap_local_page.patch" in str(err.value)
    assert "nothing was applied" in str(err.value)
    assert "\n" not in str(err.value)
    assert tree_state(tree) == before


def test_failure_midway_rolls_back(tree, series_dir, monkeypatch):
    # The dry run passes; the real run of patch 3 changes its files and
    # then fails, as a full disk would.
    real = run.apply_patch

    def flaky(patch, dest, dry_run=False):
        real(patch, dest, dry_run=dry_run)
        if not dry_run and os.path.basename(patch).startswith("0003-"):
            raise KmapconvError("%s: No space left on device" % patch)
    monkeypatch.setattr(run, "apply_patch", flaky)
    before = tree_state(tree)
    with pytest.raises(KmapconvError, match="0003-.*2 patch.*rolled back"):
        apply.apply_series(str(tree), str(series_dir))
    assert tree_state(tree) == before


def test_empty_series(tree, tmp_path):
    (tmp_path / "series").mkdir()
    (tmp_path / "series" / series.COVER).write_text("")
    before = tree_state(tree)
    assert apply.apply_series(str(tree), str(tmp_path / "series")) == \
        "nothing to apply: the patch is empty"
    assert tree_state(tree) == before


def test_patch_outside_ksrc_is_refused(tree, tmp_path):
    (tmp_path / "series").mkdir()
    (tmp_path / "series" / "0001-evil.patch").write_text(
        "--- a/../evil.c\n+++ b/../evil.c\n@@ -0,0 +1 @@\n+x\n")
    with pytest.raises(KmapconvError):
        apply.apply_series(str(tree), str(tmp_path / "series"))
    assert not (tmp_path / "evil.c").exists()


# --- the command line -------------------------------------------------------

@pytest.fixture
def fake_analysis(monkeypatch):
    """convert's analysis replaced by the fixture's findings (the driver
    around it, OUT and --apply are real)."""
    monkeypatch.setattr(deps, "ensure", lambda **kw: None)
    monkeypatch.setattr(convert, "analyse",
                        lambda target, jobs, timeout, cocci, *a, **kw:
                        fx.findings())
    monkeypatch.setenv(series.AUTHOR_ENV, AUTHOR)


def test_cli_apply(tree, tmp_path, fake_analysis, capsys):
    out = tmp_path / "out"
    status = cli.main(["convert", "--ksrc", str(tree), "--subsys", "fs",
                       "--out", str(out), "--jobs", "1", "--apply"])
    assert status == 0, capsys.readouterr().err
    assert "applied 6 patches" in capsys.readouterr().out
    assert (tree / "mm/epsilon.c").read_text() == converted("mm/epsilon.c")
    assert len(os.listdir(out / "series")) == 7


def test_cli_apply_failure_is_one_line(tree, tmp_path, fake_analysis,
                                       capsys):
    (tree / "drivers/md/delta.c").write_text("changed\n")
    before = tree_state(tree)
    status = cli.main(["convert", "--ksrc", str(tree), "--subsys", "fs",
                       "--out", str(tmp_path / "out"), "--apply"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("kmapconv: ")
    assert "0002-md-Convert-kmap_atomic-to-kmap_local_page.patch" in err
    assert tree_state(tree) == before


def test_cli_apply_needs_ksrc(capsys):
    assert cli.main(["convert", "--subsys", "fs", "--apply"]) == 2
    assert "--apply (APPLY=1) needs --ksrc" in capsys.readouterr().err


def test_cli_bad_author_fails_before_analysis(tree, tmp_path, capsys,
                                              monkeypatch):
    monkeypatch.setattr(deps, "ensure", lambda **kw: None)
    monkeypatch.setattr(convert, "analyse", lambda *a: pytest.fail("ran"))
    assert cli.main(["convert", "--ksrc", str(tree), "--subsys", "fs",
                     "--out", str(tmp_path / "out"),
                     "--from", "nobody"]) == 2
    assert "Name <email>" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("apply_var,passed", [("1", True), ("", False),
                                              ("0", False)])
def test_makefile_passes_apply_only_when_1(apply_var, passed):
    proc = subprocess.run(["make", "-n", "convert", "SUBSYS=fs",
                           "APPLY=" + apply_var], cwd=REPO,
                          capture_output=True, text=True, check=True)
    assert ("--apply" in proc.stdout) == passed
