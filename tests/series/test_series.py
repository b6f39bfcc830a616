# SPDX-License-Identifier: GPL-2.0-only
"""OUT/series/: splitting the combined patch into a format-patch series,
its mails and publishing it.  tests/series/test_series_real.py runs it
on real kernel files."""

import os
import re

import pytest

import series_fixture as fx
from kmapconv import outdir, run, series
from kmapconv.errors import KmapconvError
from kmapconv.findings import Findings

AUTHOR = "Jane Doe <jane@example.org>"
DATE = "Thu, 1 Jan 2026 00:00:00 +0000"

# Without get_maintainer.pl: one patch per directory, in path order,
# prefixes from the paths (prefix.fallback()).
SUBJECTS = [
    "gamma: Convert kmap_atomic() to kmap_local_page()",
    "md: Convert kmap_atomic() to kmap_local_page()",
    "alpha: Convert kmap() and kmap_atomic() to kmap_local_page()",
    "beta: Convert kmap() to kmap_local_page()",
    "top: Convert kmap_atomic() to kmap_local_page()",
    "epsilon: Convert kmap_atomic() to kmap_local_page()",
]


def render(**kw):
    return series.render(fx.findings(**kw), author=AUTHOR, date=DATE)


def header(text, name):
    return re.search(r"^%s: (.*)$" % name, text, re.M).group(1)


def diff_paths(text):
    return re.findall(r"^\+\+\+ b/(\S+)", text, re.M)


# --- splitting --------------------------------------------------------------

@pytest.mark.parametrize("path,directory", [
    ("fs/nilfs2/cpfile.c", "fs/nilfs2"),
    ("fs/btrfs/tests/extent-io-tests.c", "fs/btrfs"),
    ("fs/aio.c", "fs"),
    ("mm/highmem.c", "mm"),
    ("lib/iov_iter.c", "lib"),
    ("net/ceph/messenger.c", "net/ceph"),
    ("drivers/md/dm-crypt.c", "drivers/md"),
    ("drivers/md/bcache/btree.c", "drivers/md/bcache"),
    ("drivers/gpu/drm/i915/gem/i915_gem_shmem.c", "drivers/gpu/drm/i915"),
    ("drivers/gpu/drm/drm_cache.c", "drivers/gpu/drm"),
    ("arch/x86/mm/init.c", "arch/x86/mm"),
    ("sound/soc/codecs/x.c", "sound/soc/codecs"),
    ("top.c", ""),
])
def test_directory_of(path, directory):
    assert series.directory_of(path) == directory


def test_split_counts_lines_and_keeps_tricky_ones():
    patch = "".join([
        "diff --git a/fs/x.c b/fs/x.c\n",
        "index 1111111..2222222 100644\n",
        "--- a/fs/x.c\n",
        "+++ b/fs/x.c\n",
        "@@ -1,3 +1,2 @@\n",
        " int a;\n",
        "--- not a header: a removed line reading '-- not ...'\n",
        "-int b;\n",
        "+int c;\n",
        "\\ No newline at end of file\n",
        "--- /dev/null\n",
        "+++ b/fs/new.c\t2024-01-01 00:00:00\n",
        "@@ -0,0 +1 @@\n",
        "+int d;\n",
        "--- a/mm/y.c\n",
        "+++ b/mm/y.c\n",
        "@@ -5 +5 @@ f()\n",
        "-x\n",
        "+y\n",
    ])
    diffs = series.split(patch)
    assert [(d.path, d.added, d.deleted) for d in diffs] == [
        ("fs/x.c", 1, 2), ("fs/new.c", 1, 0), ("mm/y.c", 1, 1)]
    assert "".join(d.text for d in diffs) == patch
    assert diffs[0].text.startswith("diff --git")


def test_form_feed_keeps_its_hunk_and_diffstat():
    # str.splitlines() would cut "\f" lines in two and miscount.
    patch = ("--- a/fs/x.c\n+++ b/fs/x.c\n@@ -1,3 +1,3 @@\n \f\n"
             "-a = kmap_atomic(p);\f/* x */\n+a = kmap_local_page(p);\n"
             " \fint b;\n")
    (d,) = series.split(patch)
    assert (d.added, d.deleted) == (1, 1)
    assert d.text == patch
    assert series.diffstat([d]) == (
        " fs/x.c | 2 +-\n 1 file changed, 1 insertion(+), 1 deletion(-)\n")


class Stat:
    """What diffstat() reads of a FileDiff."""

    def __init__(self, path, added, deleted):
        self.path, self.added, self.deleted = path, added, deleted


def test_diffstat_matches_git_layout():
    diffs = [Stat("fs/a.c", 3, 1), Stat("fs/long/name.c", 0, 2)]
    assert series.diffstat(diffs) == (
        " fs/a.c         | 4 +++-\n"
        " fs/long/name.c | 2 --\n"
        " 2 files changed, 3 insertions(+), 3 deletions(-)\n")
    # Scaled to 72 columns, long names cut at a slash as git does.
    big = [Stat("drivers/gpu/drm/amd/display/amdgpu_dm/"
                "very_long_directory_name_here/"
                "amdgpu_dm_helpers_extra.c", 111, 111),
           Stat("fs/a.c", 1, 1)]
    lines = series.diffstat(big).splitlines()
    assert lines[0] == (" .../amdgpu_dm_helpers_extra.c" + " " * 17
                        + "| 222 +++++++++---------")
    assert lines[1] == " fs/a.c" + " " * 40 + "|   2 +-"
    assert all(len(l) <= 72 for l in lines)


# --- the series -------------------------------------------------------------

def test_one_patch_per_directory_in_order():
    files = render()
    names = sorted(files)
    assert names[0] == series.COVER
    assert names[1:] == ["%04d-%s.patch" % (n, series.slug(s))
                         for n, s in enumerate(SUBJECTS, 1)]
    assert names[3] == \
        "0003-alpha-Convert-kmap-and-kmap_atomic-to-kmap_local_page.patch"
    got = {n: diff_paths(files[n]) for n in names[1:]}
    assert list(got.values()) == [
        ["drivers/gpu/drm/gamma/display/dc.c",
         "drivers/gpu/drm/gamma/gamma_gem.c"],
        ["drivers/md/delta.c"],
        ["fs/alpha/inode.c", "fs/alpha/sub/dir.c"],
        ["fs/beta/super.c"],
        ["fs/top.c"],
        ["mm/epsilon.c"]]
    # Every file once: together the patches are the combined patch.
    assert sorted(p for v in got.values() for p in v) == sorted(fx.LAYOUT)


def test_patch_mail_layout():
    files = render()
    for n, name in enumerate(sorted(files)[1:], 1):
        text = files[name]
        lines = text.splitlines()
        assert lines[0] == ("From 0000000000000000000000000000000000000000 "
                            "Mon Sep 17 00:00:00 2001")
        assert lines[1] == "From: " + AUTHOR
        assert lines[2] == "Date: " + DATE
        assert lines[3] == "Subject: [PATCH %d/6] %s" % (n, SUBJECTS[n - 1])
        assert lines[4] == ""
        msg, _, rest = text.partition("\n---\n")
        assert msg.splitlines()[-1] == "Signed-off-by: " + AUTHOR
        assert all(len(l) <= 75 for l in msg.splitlines()[4:])
        assert "kmap_local_page()" in msg and "LIFO" in msg
        # Below the "---": notes to reviewers, if any, the diffstat, the
        # diff.
        notes_and_stat, _, diff = rest.partition("\n\ndiff ")
        assert re.search(r"^ \d+ files? changed, \d+ insertions?\(\+\), "
                         r"\d+ deletions?\(-\)\Z", notes_and_stat, re.M)
        assert diff.startswith("-u -p a/")
        assert text.endswith("\n-- \nkmapconv 0.1.0\n\n")


def test_body_explains_each_function_in_prose():
    text = render()[sorted(render())[3]]          # fs/alpha
    msg = text.partition("\n---\n")[0]
    flat = " ".join(msg.split())
    assert "kmap_atomic() is deprecated" in flat
    assert "kmap() is being phased out" in flat
    assert "neither page faults nor preemption" in flat
    assert ("In alpha_write(), alpha_dir_fill() and alpha_dir_copy() the "
            "page is mapped and unmapped within the function") in flat
    assert ("the unmaps in alpha_dir_copy() now pass that address"
            in flat)
    # Line numbers mean nothing once the tree moves on.
    assert not re.search(r"\blines? \d", msg), msg
    # The manual site of fs/alpha is not claimed to be converted.
    assert "alpha_other" not in msg
    # The calls left are a note to reviewers, below the "---": the
    # commit log does not send readers to a report they do not have.
    assert "Not converted" not in flat
    note = " ".join(text.partition("\n---\n")[2].split("\n diff")[0]
                    .split())
    # Counted in the patch's files, not in the rest of fs/alpha/.
    assert note.startswith("Not converted in this patch's files: 1 call "
                           "site left for a human; the kmapconv report "
                           "gives each one's reason.")
    # A kmap()-only patch does not talk about kmap_atomic() deprecation.
    beta = render()[sorted(render())[4]].partition("\n---\n")[0]
    assert "kmap_atomic() is deprecated" not in " ".join(beta.split())


def test_apis_from_the_diff_without_sites():
    f = fx.findings()
    f.sites = []
    subjects = [header(t, "Subject") for n, t in sorted(
        series.render(f, author=AUTHOR, date=DATE).items())[1:]]
    assert [s.split("] ", 1)[1] for s in subjects] == SUBJECTS


def test_cover_letter():
    cover = render()[series.COVER]
    assert header(cover, "Subject") == (
        "[PATCH 0/6] treewide: Convert kmap() and kmap_atomic() to "
        "kmap_local_page()")
    rows = cover.split("  directory ")[1].split("\n\n")[0]
    table = dict((l.split()[0], l.split()[1:])
                 for l in rows.splitlines()[1:])
    assert table == {
        "drivers/gpu/drm/gamma": ["1", "2", "0", "0"],
        "drivers/md": ["2", "1", "0", "0"],
        "fs": ["5", "1", "0", "0"],
        "fs/alpha": ["3", "3", "1", "0"],
        "fs/beta": ["4", "1", "0", "0"],
        "fs/zeta": ["-", "0", "0", "1"],
        "mm": ["6", "1", "0", "0"]}
    assert "Jane Doe (6):\n  gamma: Convert" in cover
    assert " 8 files changed, 18 insertions(+), 18 deletions(-)" in cover
    assert "\n---\n" not in cover
    sub = series.render(fx.findings(subsys="fs"), author=AUTHOR, date=DATE)
    assert header(sub[series.COVER], "Subject").startswith(
        "[PATCH 0/6] fs: Convert")


def test_empty_patch_gives_empty_series():
    assert render(patch="") == {}
    assert render(patch="\n") == {}


def test_numbers_are_padded_like_format_patch():
    patch = "".join("--- a/fs/d%02d/x.c\n+++ b/fs/d%02d/x.c\n@@ -1 +1 @@\n"
                    "-kmap_atomic(p);\n+kmap_local_page(p);\n" % (i, i)
                    for i in range(12))
    f = Findings("t", ".", "0.1.0", "", "c", "0", patch=patch)
    files = series.render(f, author=AUTHOR, date=DATE)
    assert header(files[sorted(files)[1]], "Subject").startswith(
        "[PATCH 01/12] d00:")
    assert header(files[series.COVER], "Subject").startswith("[PATCH 00/12]")


def test_author(monkeypatch):
    monkeypatch.delenv(series.AUTHOR_ENV, raising=False)
    monkeypatch.setattr(run, "git_config", lambda key: "")
    assert series.resolve_author() == series.DEFAULT_AUTHOR
    monkeypatch.setattr(run, "git_config", lambda key: {
        "user.name": "Git User", "user.email": "git@example.org"}[key])
    assert series.resolve_author() == "Git User <git@example.org>"
    monkeypatch.setenv(series.AUTHOR_ENV, "Env User <env@example.org>")
    assert series.resolve_author() == "Env User <env@example.org>"
    assert series.resolve_author(AUTHOR) == AUTHOR
    with pytest.raises(KmapconvError, match="Name <email>"):
        series.resolve_author("no email here")


def test_date_from_source_date_epoch(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert series.patch_date() == "Tue, 14 Nov 2023 22:13:20 +0000"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "soon")
    with pytest.raises(KmapconvError, match="SOURCE_DATE_EPOCH"):
        series.patch_date()


GET_MAINTAINER = r"""#!/usr/bin/perl
# Test stand-in.  --sections -f FILE: an entry per top directory of the
# file (fs/alpha/sub/dir.c -> ALPHA; BETA is obsolete), the catch-all
# for files directly under a top directory.  A patch: its maintainer
# with role, a list.
if (grep { $_ eq '--sections' } @ARGV) {
    my $file = $ARGV[-1];
    if ($file =~ m{^\w+/(\w+)/}) {
        print "\U$1\E\nM:\tMax $1 <$1\@example.org>\nL:\t$1-devel\@"
            . "example.org (subscribers-only)\n"
            . ($1 eq "beta" ? "S:\tObsolete\n" : "S:\tMaintained\n")
            . "F:\t" . ($file =~ s{/[^/]*$}{}r) . "/\n\n";
    }
    print "THE REST\nL:\tlkml\@example.org\nF:\t*\nF:\t*/\n";
    exit 0;
}
my %seen;
while (<STDIN>) {}
for my $patch (@ARGV) {
    next unless -f $patch;
    open(my $fh, '<', $patch) or next;
    while (<$fh>) {
        if (m{^\+\+\+ b/(?:\w+/)*?(\w+)/[^/]+$} && !$seen{$1}++) {
            print "Max Maintainer <$1\@example.org> (maintainer:X)\n";
        }
    }
}
print "lkml\@example.org (open list)\n";
"""


def test_to_and_cc_from_maintainers(tmp_path):
    tree = fx.make_tree(tmp_path / "tree")
    (tree / "scripts").mkdir()
    (tree / "scripts" / "get_maintainer.pl").write_text(GET_MAINTAINER)
    (tree / "MAINTAINERS").write_text("")
    files = series.render(fx.findings(), ksrc=str(tree), author=AUTHOR,
                          date=DATE)
    alpha = files[sorted(files)[3]]
    assert diff_paths(alpha) == ["fs/alpha/inode.c", "fs/alpha/sub/dir.c"]
    # The entry's list, its remark dropped, and get_maintainer.pl's; one
    # Cc: per address, in the entry's spelling (get_maintainer.pl's names
    # the same person differently).
    assert ("\nTo: alpha-devel@example.org,\n    lkml@example.org\n"
            "Cc: Max alpha <alpha@example.org>,\n") in alpha
    assert "Max Maintainer <alpha@example.org>" not in alpha
    cover = files[series.COVER]
    to = header(cover, "To")
    assert to.startswith("gpu-devel@example.org,")
    cc_block = cover.split("\nCc: ", 1)[1].split("\n\n", 1)[0]
    for name in ("alpha", "gamma", "md"):
        assert "<%s@example.org>" % name in cc_block
    # An obsolete entry (checkpatch.pl: no unnecessary modifications) is
    # left out of the series, and the cover letter says so.
    assert "beta" not in cc_block
    assert not any("fs/beta" in t for n, t in files.items()
                   if n != series.COVER)
    assert ("Left out: the conversion of fs/beta/super.c, whose "
            "MAINTAINERS entry (BETA) is marked obsolete") in " ".join(
                cover.split())
    # A script that fails means directory patches without To:/Cc:.
    (tree / "scripts" / "get_maintainer.pl").write_text("exit 3;\n")
    files = series.render(fx.findings(), ksrc=str(tree), author=AUTHOR,
                          date=DATE)
    assert not any("\nCc: " in t or "\nTo: " in t for t in files.values())


# --- publishing -------------------------------------------------------------

def test_series_directory_replaced_as_a_whole(tmp_path):
    out = tmp_path / "out"
    outdir.publish(str(out), {"report.md": "1\n", "series": render()})
    assert len(os.listdir(out / "series")) == 7
    outdir.check(str(out), str(tmp_path / "ksrc"))
    small = {"0000-cover-letter.patch": "c\n", "0001-x.patch": "x\n"}
    outdir.publish(str(out), {"report.md": "2\n", "series": small})
    assert sorted(os.listdir(out / "series")) == sorted(small)
    outdir.publish(str(out), {"report.md": "3\n", "series": {}})
    assert os.listdir(out / "series") == []
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_failed_publish_keeps_the_old_series(tmp_path, monkeypatch):
    out = tmp_path / "out"
    outdir.publish(str(out), {"series": {"0001-old.patch": "old\n"}})
    real_rename = os.rename

    def rename(src, dst):
        if str(src).endswith("/series") and ".new-" in str(src):
            raise OSError(28, "No space left on device")
        return real_rename(src, dst)
    monkeypatch.setattr(os, "rename", rename)
    with pytest.raises(KmapconvError, match="No space"):
        outdir.publish(str(out), {"series": {"0001-new.patch": "new\n"}})
    assert os.listdir(out / "series") == ["0001-old.patch"]
    assert sorted(os.listdir(tmp_path)) == ["out"]


def test_check_refuses_foreign_files_in_series(tmp_path):
    out = tmp_path / "out"
    (out / "series").mkdir(parents=True)
    (out / "series" / "0001-ok.patch").write_text("")
    outdir.check(str(out), str(tmp_path / "ksrc"))
    (out / "series" / "my-notes.txt").write_text("mine")
    with pytest.raises(KmapconvError, match="my-notes.txt"):
        outdir.check(str(out), str(tmp_path / "ksrc"))


def test_roles_cut_short_by_get_maintainer_leave_only_the_address():
    # get_maintainer.pl shortens long section names with "...", which
    # leaves their parentheses unbalanced; the address alone goes in To:.
    from kmapconv import maintainers
    people, lists = maintainers.split_roles([
        "Jani Nikula <jani@example.org> (supporter:INTEL DRM I915 DRIVER "
        "(Meteor Lake, DG2 and old...)",
        "intel-gfx@example.org (open list:INTEL DRM I915 DRIVER (Meteor "
        "Lake, DG2 and old...)",
        "dri-devel@example.org (open list:DRM DRIVERS)",
        "linux-kernel@example.org (open list)",
        "Max <max@example.org> (maintainer:SECTION (sub))",
        "Ann <ann@example.org> (orphan (book3e and 32-bit):KVM (KVM/ppc))",
        "dm-devel@example.org"])
    assert people == [("Jani Nikula <jani@example.org>", "supporter"),
                      ("Max <max@example.org>", "maintainer"),
                      ("Ann <ann@example.org>", "orphan (book3e and 32-bit)")]
    assert lists == ["intel-gfx@example.org", "dri-devel@example.org",
                     "linux-kernel@example.org", "dm-devel@example.org"]


def test_one_cc_per_address_whatever_the_spelling():
    # MAINTAINERS and get_maintainer.pl spell a name with an accent
    # differently (the script quotes it); the author and the To: lists
    # are never copied.
    people = ["Roger Pau Monné <roger@example.org>",
              '"Roger Pau Monné" <roger@example.org>',
              "Jens <AXBOE@example.org>", "Jens Axboe <axboe@example.org>",
              "Me <me@example.org>"]
    but = ["Me Too <ME@example.org>", "roger@example.org"]
    assert series._one_per_address(people, but=but) == [
        "Jens <AXBOE@example.org>"]
    assert series._one_per_address(people, but=but[:1]) == [
        "Roger Pau Monné <roger@example.org>", "Jens <AXBOE@example.org>"]


@pytest.mark.parametrize("who, header", [
    ("T.J. Mercier <tj@example.org>", '"T.J. Mercier" <tj@example.org>'),
    ('"Liang, Kan" <kan@example.org>', '"Liang, Kan" <kan@example.org>'),
    ('"Roger Pau Monné" <roger@example.org>',
     "Roger Pau Monné <roger@example.org>"),
    ("list-owner@example.org", "list-owner@example.org"),
])
def test_a_name_with_a_special_is_quoted_in_headers(who, header):
    assert series._one_per_address([who]) == [header]


def test_what_the_audit_found_before_the_patch_is_told_to_reviewers():
    """What kmap-audit reports in a rewritten file both before and after
    the rewrite is neither made nor fixed by the patch: a note below the
    ---, where it cannot pass for the patch's doing; what only says the
    audit could not look is no such report."""
    f = fx.findings()
    f.audit = {"rounds": [{"audited": ["fs/alpha/inode.c"]}],
               "demoted": [], "partly_audited": [], "pre_existing": [
                   {"file": "fs/alpha/inode.c", "line": 9,
                    "function": "alpha_write", "kind": "use-after-unmap",
                    "message": "'p' passed to flush() after kunmap_local() "
                               "at line 8 released its mapping"},
                   {"file": "fs/alpha/inode.c", "line": 1, "function": "",
                    "kind": "parse-error", "message": "2 errors"}]}
    files = series.render(f, author=AUTHOR, date=DATE)
    alpha = files[sorted(files)[3]]
    log, _, below = alpha.partition("\n---\n")
    assert "kmap-audit" not in log
    note = " ".join(below.split("\n diff")[0].split())
    assert ("kmap-audit reports paths it could not rule out in the code "
            "before this patch, which remain after it (not the patch's "
            "doing, and not fixed here; lines of the patched file; the "
            "audit does not know every invariant the code keeps, so read "
            "each before acting on it): fs/alpha/inode.c:9 alpha_write(): "
            "'p' passed to flush() after kunmap_local() at line 8 released "
            "its mapping [use-after-unmap].") in note
    assert "parse-error" not in alpha
    assert not any("kmap-audit reports" in t for n, t in files.items()
                   if n not in (sorted(files)[3], series.COVER))


def test_a_rewritten_file_left_out_of_the_series_says_so_in_the_table(
        tmp_path):
    tree = fx.make_tree(tmp_path / "tree")
    (tree / "scripts").mkdir()
    (tree / "scripts" / "get_maintainer.pl").write_text(GET_MAINTAINER)
    (tree / "MAINTAINERS").write_text("")
    cover = series.render(fx.findings(), ksrc=str(tree), author=AUTHOR,
                          date=DATE)[series.COVER]
    rows = {l.split()[0]: l.split()[1:] for l in cover.splitlines()
            if l.startswith("  fs/")}
    # BETA is obsolete: its rewritten site is in no patch.
    assert rows["fs/beta"] == ["left", "out", "1", "0", "0"]
    assert rows["fs/zeta"] == ["-", "0", "0", "1"]
