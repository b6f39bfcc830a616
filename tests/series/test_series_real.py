# SPDX-License-Identifier: GPL-2.0-only
"""The series of a real convert of Linux 6.12's fs/ (Debian's
linux-source-6.12, unpacked at test time into the cache): one patch per
MAINTAINERS entry with its own To:/Cc:, checkpatch.pl --strict without
errors or warnings, every patch applied in order by git am, subject
prefixes from the path fallback (a tarball has no history), and no line
number in any message."""

import difflib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from kmapconv import ksrc, prefix, series
from kmapconv.findings import Findings
from testlib import TARBALL_612, needs, needs_file, run_module

# What get_maintainer.pl and checkpatch.pl need of the tree's top level.
TOP = ["COPYING", "CREDITS", "Kbuild", "README", "MAINTAINERS", "scripts",
       "Documentation/Kconfig", "arch/Kconfig", "drivers/Kconfig",
       "init/Kconfig", "ipc/Makefile", "kernel/Makefile", "lib/Kconfig",
       "include/linux/highmem.h"]
AUTHOR = "Jane Doe <jane@example.org>"
DATE = "Thu, 1 Jan 2026 00:00:00 +0000"

pytestmark = [pytest.mark.real_kernel,
              needs_file(TARBALL_612, "linux-source-6.12"),
              needs(shutil.which("git"), "git is missing (Debian package "
                    "git)"),
              needs(shutil.which("perl"), "perl is missing (Debian "
                    "package perl)")]


@pytest.fixture(scope="module")
def tree612():
    return Path(ksrc.unpack_subset(TARBALL_612, None, TOP + ["fs"]))


@pytest.fixture(scope="module")
def fs_series(tree612, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "fs"
    proc = run_module("kmapconv", "convert", "--no-verify", "--ksrc", tree612, "--subsys",
                      "fs", "--out", out, "--jobs", "2", "--from", AUTHOR)
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (out / "series").iterdir())
    assert names[0] == series.COVER and len(names) > 5
    return out, {n: (out / "series" / n).read_text() for n in names}


def git(repo, *args):
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=T", "-c",
         "user.email=t@example.org", "-c", "commit.gpgsign=false"]
        + list(args), check=True, capture_output=True, text=True).stdout


def message_of(text):
    return text.partition("\n---\n")[0]


def test_checkpatch_strict(tree612, fs_series, tmp_path):
    out, files = fs_series
    for name, text in files.items():
        proc = subprocess.run(
            ["perl", "scripts/checkpatch.pl", "--strict", "--color=never",
             str(out / "series" / name)],
            cwd=tree612, capture_output=True, text=True)
        assert re.search(r"^total: 0 errors, 0 warnings, ", proc.stdout,
                         re.M), name + "\n" + proc.stdout + proc.stderr
        added = [l for l in text.partition("\n---\n")[2].split("\n")
                 if l.startswith("+") and not l.startswith("+++ ")]
        assert all(len(l.expandtabs(8)) <= 101 for l in added), name


def test_git_am_applies_the_series_in_order(tree612, fs_series, tmp_path):
    out, files = fs_series
    touched = sorted({p for text in files.values()
                      for p in re.findall(r"^\+\+\+ b/(\S+)", text, re.M)})
    repo = tmp_path / "repo"
    for path in touched:
        (repo / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tree612 / path, repo / path)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "base")
    patches = [n for n in sorted(files) if n != series.COVER]
    for name in patches:
        git(repo, "am", "-q", str(out / "series" / name))
    subjects = git(repo, "log", "--reverse", "--format=%s").split("\n")[1:]
    assert subjects[:len(patches)] == [
        re.search(r"^Subject: \[PATCH \d+/\d+\] (.*)$", files[n],
                  re.M).group(1) for n in patches]
    # Together they change every file they name, each once, as the
    # combined patch does (less an obsolete entry's, see the cover).
    stat = git(repo, "diff", "--stat", "HEAD~%d" % len(patches))
    assert stat.count("|") == len(touched)
    combined = {d.path for d in series.split(
        (out / "kmap-local.patch").read_text())}
    assert set(touched) <= combined
    left = sorted(combined - set(touched))
    assert all(p in " ".join(files[series.COVER].split()) for p in left)


def test_prefixes_and_prose(tree612, fs_series):
    out, files = fs_series
    sites = [json.loads(l) for l in (out / "sites.jsonl").open()]
    for name, text in files.items():
        if name == series.COVER:
            assert "\nBased on Linux 6.12." in text
            assert re.search(r"^To: .*linux-fsdevel@vger\.kernel\.org",
                             text, re.M | re.S)
            continue
        paths = re.findall(r"^\+\+\+ b/(\S+)", text, re.M)
        subject = re.search(r"^Subject: \[PATCH \d+/\d+\] (.*)$", text,
                            re.M).group(1)
        # The path's prefix, narrowed where two patches share it.
        assert re.match(r"%s(: [\w-]+(, [\w-]+)?)?: Convert " % re.escape(
            prefix.fallback(paths)), subject), subject
        msg = message_of(text)
        assert not re.search(r"\blines? \d", msg), name
        assert re.search(r"^To: \S+@", msg, re.M), name
        for s in sites:
            if s["file"] in paths and s["action"] == "rewritten":
                assert "%s()" % s["function"] in " ".join(msg.split())


def trivial_patch(tree, paths):
    """A comment added at the top of each of paths, as diff -u -p."""
    out = []
    for path in paths:
        old = (tree / path).read_text(errors="surrogateescape")
        new = "/* x */\n" + old
        out.append("diff -u -p a/%s b/%s\n" % (path, path))
        out += difflib.unified_diff(old.splitlines(True)[:3],
                                    new.splitlines(True)[:4],
                                    "a/" + path, "b/" + path)
    return "".join(out)


def test_one_patch_per_maintainers_entry(tree612):
    paths = ["fs/aio.c", "fs/dax.c", "fs/minix/dir.c", "fs/minix/inode.c"]
    f = Findings("t", "fs", "0.1.0", "6.12", "kmap_local.cocci", "0",
                 patch=trivial_patch(tree612, paths))
    files = series.render(f, ksrc=str(tree612), author=AUTHOR, date=DATE)
    got = {}
    for name, text in sorted(files.items())[1:]:
        to = re.search(r"^To: (.*?)\n(?=\S)", text, re.M | re.S).group(1)
        got[tuple(re.findall(r"^\+\+\+ b/(\S+)", text, re.M))] = to
    # fs/aio.c (AIO) and fs/dax.c (DAX) go through different trees;
    # minix, which MAINTAINERS only reaches through the catch-all, goes
    # to the filesystems' list as its directory does.
    assert list(got) == [("fs/aio.c",), ("fs/dax.c",),
                         ("fs/minix/dir.c", "fs/minix/inode.c")]
    assert "linux-aio@kvack.org" in got[("fs/aio.c",)]
    assert "nvdimm@lists.linux.dev" in got[("fs/dax.c",)]
    assert "linux-fsdevel@vger.kernel.org" in \
        got[("fs/minix/dir.c", "fs/minix/inode.c")]
    cover = files[series.COVER]
    head = cover.split("\n\n", 1)[0]
    for address in ("linux-aio@kvack.org", "nvdimm@lists.linux.dev",
                    "linux-fsdevel@vger.kernel.org",
                    "Christian Brauner <brauner@kernel.org>"):
        assert address in head
