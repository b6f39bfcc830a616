# SPDX-License-Identifier: GPL-2.0-only
"""narrow.py: a MAINTAINERS cut down to what a patch can match must give
get_maintainer.pl's answer: the same addresses, in an order the script
itself gives for some hash seed."""

import os
import random
import re
import subprocess
from pathlib import Path

import pytest

from kmapconv import ksrc, narrow, run
from testlib import TARBALL_61, cannot_run

# Small real files with kmap_atomic() in three directories, and what
# get_maintainer.pl needs of a tree's top level (test_get_maintainer_many
# uses the tree too).
REAL_FILES = ["fs/nilfs2/ifile.c", "fs/nilfs2/mdt.c",
              "drivers/md/dm-log-writes.c", "mm/page_poison.c"]
TOP = ["COPYING", "CREDITS", "Kbuild", "README", "MAINTAINERS", "scripts",
       "Documentation/Kconfig", "arch/Kconfig", "drivers/Kconfig",
       "fs/Kconfig", "init/Kconfig", "ipc/Makefile", "kernel/Makefile",
       "lib/Kconfig", "include/linux/highmem.h"]

SAMPLE = """\
List of maintainers
-------------------

	M: Mail patches to (a description, not a section)

3C59X NETWORK DRIVER
M:	Steffen <s@example.org>
L:	netdev@example.org
F:	drivers/net/ethernet/3com/3c59x.c

# a comment between sections
AIO
M:	Ben <b@example.org>
F:	fs/aio.c
F:	include/linux/*aio*.h

KMAP
M:	Ira <i@example.org>
K:	\\bkmap_local\\w*
N:	highmem

THE REST
M:	Linus <l@example.org>
F:	*
F:	*/
"""


def typevalue(text):
    """The lines get_maintainer.pl keeps, in order."""
    return [l for l in text.split("\n")
            if l.strip() and not l.lstrip().startswith("#")]


def test_sections_and_head():
    m = narrow.Maintainers(SAMPLE)
    assert [s[0][0] for s in m.sections] == [
        "3C59X NETWORK DRIVER", "AIO", "KMAP", "THE REST"]
    assert "\tM: Mail patches to (a description, not a section)" in m.head


def test_only_sections_that_can_match_are_kept():
    m = narrow.Maintainers(SAMPLE)
    # fs/aio.c: AIO (F: fs/aio.c), KMAP (K:/N: are not judged here) and
    # THE REST (F: * starts every path); not the 3c59x driver.
    assert m.matching({"fs/aio.c"}) == {1, 2, 3}
    # A wildcard ends the literal part: include/linux/*aio*.h may match
    # anything under include/linux/.
    assert 1 in m.matching({"include/linux/highmem.h"})
    assert 0 in m.matching({"drivers/net/ethernet/3com/3c59x.c"})


def test_kept_sections_whole_and_in_order():
    m = narrow.Maintainers(SAMPLE)
    text = m.narrowed({"fs/aio.c"})
    assert typevalue(text) == [
        l for l in typevalue(SAMPLE)
        if l not in ("3C59X NETWORK DRIVER", "M:\tSteffen <s@example.org>",
                     "L:\tnetdev@example.org",
                     "F:\tdrivers/net/ethernet/3com/3c59x.c")]
    assert "Steffen" not in text and "Ben <b@example.org>" in text


def test_question_keeps_what_the_script_reads():
    text = ("Subject: [PATCH] x\n\nkmap in the message\n---\n"
            " fs/a.c | 2 +-\n\n"
            "diff --git a/fs/a.c b/fs/a.c\nindex 1..2 100644\n"
            "--- a/fs/a.c\n+++ b/fs/a.c\n@@ -1,3 +1,3 @@ int f(void)\n"
            " context kmap\n-old\r\n+new\x0cx\n\\ No newline at end of file\n"
            "rename from fs/b.c\nrename to fs/c.c\n"
            " mode change 100644 => 100755 fs/d.c\nFixes: 0123456789ab\n"
            "-- \nkmapconv")
    assert narrow.question(text) == (
        "Subject: [PATCH] x\n\nkmap in the message\n---\n"
        " fs/a.c | 2 +-\n\n"
        "diff --git a/fs/a.c b/fs/a.c\nindex 1..2 100644\n"
        "--- a/fs/a.c\n+++ b/fs/a.c\n-old\r\n+new\x0cx\n"
        "rename from fs/b.c\nrename to fs/c.c\n"
        " mode change 100644 => 100755 fs/d.c\nFixes: 0123456789ab\n"
        "-- \n")


@pytest.mark.parametrize("pattern, need", [
    ("mediatek", {"mediatek"}),
    (r"(?:\b|_)bpf(?:\b|_)", {"bpf"}),
    (r"\bdma_(?:buf|fence|resv)\b", {"dma_"}),
    (r"(devm_)?hwmon_device_(un)?register(|_with_info)", {"hwmon_device_"}),
    (r"phylink\.h|struct\s+phylink|>phylink_", {"phylink.h", "phylink",
                                                  ">phylink_"}),
    (r"\b(ABS|SYN)_MT_", {"_MT_"}),
    (r"(ab|cd)x?", {"ab", "cd"}),
    (r"x # a comment, as with /x", {"x"}),
    # Nothing required, or nothing this side can tell: kept.
    (r"\b(?i:clang|llvm)\b", None),
    (r"(?i)pidfd", None),
    (r"\Qa.b\E", None),
    (r"(ab|\w+)", None),
    (r"a*", None),
])
def test_must_contain(pattern, need):
    assert narrow.must_contain(pattern) == need


def test_regex_sections_kept_only_where_they_may_match():
    m = narrow.Maintainers(SAMPLE.replace("N:\thighmem\n", ""))
    # KMAP now has only its K: \bkmap_local\w* line.
    assert 2 in m.matching({"fs/aio.c"})
    assert 2 in m.matching({"fs/aio.c"}, "+\tkmap_local_page(p);\n")
    assert 2 not in m.matching({"fs/aio.c"}, "+\tkmap(p);\n")
    # With its N: highmem line too, a path can keep it.
    m = narrow.Maintainers(SAMPLE)
    assert 2 not in m.matching({"fs/aio.c"}, "+\tkmap(p);\n")
    assert 2 in m.matching({"fs/aio.c", "mm/highmem.c"}, "+\tkmap(p);\n")


def test_patch_paths():
    text = ("Subject: x\n---\n fs/aio.c | 2 +-\n\n"
            "diff -u -p a/fs/aio.c b/fs/aio.c\n--- a/fs/aio.c\n"
            "+++ b/fs/aio.c\n@@ -1 +1 @@\n-a\n+b\n"
            "diff --git a/mm/x.c b/mm/y.c\n")
    assert narrow.patch_paths(text) == {"fs/aio.c", "mm/x.c", "mm/y.c"}


@pytest.fixture(scope="module")
def real_tree():
    if not os.path.isfile(TARBALL_61):
        cannot_run("%s is missing (Debian package linux-source-6.1)"
                   % TARBALL_61)
    return Path(ksrc.unpack_subset(TARBALL_61, None, TOP + REAL_FILES))


def _paths_from_patterns(tree, count):
    """Concrete paths for a sample of the tree's own F: patterns."""
    patterns = re.findall(r"^F:\s*(\S+)", (tree / "MAINTAINERS").read_text(
        errors="surrogateescape"), re.M)
    rnd = random.Random(61)
    out = []
    for p in rnd.sample(patterns, count):
        p = p.replace("*", "x").replace("?", "y")
        out.append(p + "x.c" if p.endswith("/") else p)
    return out


def test_same_answer_as_the_whole_file(real_tree, tmp_path):
    whole = narrow.Maintainers((real_tree / "MAINTAINERS").read_text(
        errors="surrogateescape"))
    paths = REAL_FILES + _paths_from_patterns(real_tree, 36)
    # Patches of one to three files, one mentioning kmap_local_page (a
    # K: keyword of the 6.1 MAINTAINERS? the answer must agree either way).
    groups = [paths[i:i + 1 + i % 3] for i in range(0, len(paths), 3)]
    # fs/aio.c matches its own section and the VFS one (F: fs/*) alike.
    groups.append(["fs/aio.c"])
    compared = reordered = 0
    # Keywords of 6.1's K: lines, one in the added lines of each patch
    # (DMA BUFFER SHARING, BPF, SECURE COMPUTING, ...; the last two only
    # match ignoring case, which narrowed() cannot judge: kept).
    added = ["struct dma_buf *b", "bpf_prog_put(p)", "secure_computing()",
             "hwmon_device_register(d)", "x = kmap_local_page(b)",
             "Clang", "PIDFD"]
    for n, files in enumerate(groups):
        patch = tmp_path / ("%02d.patch" % n)
        # Context lines naming keywords too: the script matches K: only
        # in "+"/"-" lines, and question() drops the others.
        patch.write_text("Subject: [PATCH] kmap_local_page\n---\n" + "".join(
            "diff -u -p a/%s b/%s\n--- a/%s\n+++ b/%s\n@@ -1,3 +1,3 @@\n"
            " kunmap_local(x);\n-a\n+%s;\n"
            " struct dma_fence *y;\n\\ No newline at end of file\n"
            % (f, f, f, f, added[n % len(added)]) for f in files))
        asked = tmp_path / ("%02d.question" % n)
        asked.write_text(narrow.question(patch.read_text()))
        assert len(asked.read_text()) < len(patch.read_text())
        mpath = tmp_path / ("%02d.MAINTAINERS" % n)
        mpath.write_text(whole.narrowed(narrow.patch_paths(
            patch.read_text()), asked.read_text()))
        a = run.get_maintainer(str(real_tree), str(patch))
        b = run.get_maintainer(str(real_tree), str(asked), mpath=str(mpath))
        assert a, files
        assert sorted(a) == sorted(b), files
        if a != b:
            reordered += 1
            assert b in _orders(real_tree, patch), files
        compared += 1
    assert compared == len(groups)
    # Most answers have no sections that match alike; the last has.
    assert 1 <= reordered < compared / 2


def _orders(tree, patch, seeds=range(1, 33)):
    """The answers of the script with the whole MAINTAINERS under other
    hash seeds."""
    argv = ["perl", "scripts/get_maintainer.pl", "--no-git",
            "--no-git-fallback", "--no-rolestats", str(patch)]
    found = []
    for seed in seeds:
        out = subprocess.run(
            argv, cwd=tree, capture_output=True, text=True, check=True,
            env=dict(os.environ, PERL_HASH_SEED=str(seed),
                     PERL_PERTURB_KEYS="0")).stdout
        found.append([l.strip() for l in out.splitlines() if l.strip()])
    return found


def test_fixed_hash_seed_gives_one_order(real_tree, tmp_path):
    """Without run.PERL_FIXED_HASH, sections that match alike come out
    in a random order; with it, every run agrees."""
    patch = tmp_path / "p.patch"
    patch.write_text("".join("--- a/%s\n+++ b/%s\n@@ -1 +1 @@\n-a\n+b\n"
                             % (f, f) for f in REAL_FILES))
    answers = {tuple(run.get_maintainer(str(real_tree), str(patch)))
               for _ in range(4)}
    assert len(answers) == 1
