# SPDX-License-Identifier: GPL-2.0-only
"""run.get_maintainer_many(): get_maintainer.pl compiled once and run
once per question in a forked child (KmapconvForkEach.pm) must answer
exactly as one process per question does."""

import os
import stat

import pytest

from kmapconv import narrow, run
from test_narrow import real_tree  # noqa: F401  (a fixture)

# A stand-in for scripts/get_maintainer.pl: file-scope state that a
# second run in the same process would see, its arguments, an exit
# status chosen by them.
TOY = r"""#!/usr/bin/perl
use strict;
use warnings;
my $seen = 0;
sub count { $seen++ }
count() for @ARGV;
print "$seen: @ARGV\n";
print STDERR "to stderr\n";
exit(3) if grep { $_ eq 'fail' } @ARGV;
die "died\n" if grep { $_ eq 'die' } @ARGV;
"""


@pytest.fixture
def toy_tree(tmp_path):
    tree = tmp_path / "tree"
    (tree / "scripts").mkdir(parents=True)
    script = tree / "scripts" / "get_maintainer.pl"
    script.write_text(TOY)
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return tree


def test_each_question_runs_once_in_a_fresh_program(toy_tree, tmp_path):
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    questions = [["a", "b"], ["c"], ["x", "fail"], ["die"], ["tab\there"],
                 ["d", "e", "f"]]
    answers = run.get_maintainer_many(str(toy_tree), questions, 2,
                                      str(scratch))
    # A count of 2 after one of 3 would mean state leaked between runs.
    assert answers == [["2: a b"], ["1: c"], [], [], ["1: tab\there"],
                       ["3: d e f"]]
    # The tab could not go through the job list: that one ran alone.
    listing = (scratch / "jobs").read_text().splitlines()
    assert len(listing) == 5
    assert (scratch / "00000.status").read_text() == "0\n"
    assert (scratch / "00002.status").read_text() == "3\n"
    assert (scratch / "00003.status").read_text() not in ("", "0\n")
    assert (scratch / "00000.err").read_text() == "to stderr\n"


def test_a_batch_that_cannot_start_is_asked_alone(toy_tree, tmp_path,
                                                  monkeypatch):
    monkeypatch.setattr(run, "FORK_EACH_DIR", str(tmp_path / "nowhere"))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    assert run.get_maintainer_many(str(toy_tree), [["a"], ["fail"]], 2,
                                   str(scratch)) == [["1: a"], []]


def test_real_answers_match_one_process_each(real_tree, tmp_path):  # noqa: F811
    whole = narrow.Maintainers((real_tree / "MAINTAINERS").read_text(
        errors="surrogateescape"))
    groups = [["fs/aio.c"], ["fs/nilfs2/ifile.c", "fs/nilfs2/mdt.c"],
              ["drivers/md/dm-log-writes.c"], ["mm/page_poison.c"],
              ["include/linux/highmem.h", "mm/highmem.c"]]
    questions = []
    for n, files in enumerate(groups):
        patch = tmp_path / ("%02d.patch" % n)
        patch.write_text("Subject: [PATCH] kmap_local_page\n---\n" + "".join(
            "--- a/%s\n+++ b/%s\n@@ -1 +1 @@\n-a\n+kmap_local_page(b)\n"
            % (f, f) for f in files))
        mpath = tmp_path / ("%02d.MAINTAINERS" % n)
        mpath.write_text(whole.narrowed(narrow.patch_paths(
            patch.read_text())))
        questions.append(run.get_maintainer_args(str(patch)))
        questions.append(run.get_maintainer_args(str(patch),
                                                 mpath=str(mpath)))
    questions.append(run.get_maintainer_args(
        ["fs/nilfs2/ifile.c", "mm"], path=True, rolestats=True))
    questions.append(run.get_maintainer_args(str(tmp_path / "missing")))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    many = run.get_maintainer_many(str(real_tree), questions, 2,
                                   str(scratch))
    alone = [run._ask_alone(str(real_tree), q) for q in questions]
    assert many == alone
    assert all(many[:-1]) and many[-1] == []
    assert os.path.isfile(scratch / "00000.status")
