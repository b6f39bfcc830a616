# SPDX-License-Identifier: GPL-2.0-only
"""Commit messages in prose, and the sleep-in-atomic detection: a
kmap_atomic() region that reaches a call that may sleep, in the region
itself or through functions of the same directory (fixtures below, true
and false cases)."""

import re
import shutil
import subprocess

import pytest

import series_fixture as fx
from kmapconv import message, series
from kmapconv.findings import Findings
from testlib import needs

AUTHOR = "Jane Doe <jane@example.org>"
DATE = "Thu, 1 Jan 2026 00:00:00 +0000"

# fs/sl/a.c: one function per case; each maps at the line of its
# kmap_atomic() and unmaps at the line of its kunmap_atomic().
A_C = """\
// SPDX-License-Identifier: GPL-2.0-only
#include <linux/highmem.h>

static DEFINE_MUTEX(m);

void direct_lock(struct page *page)
{
\tchar *p = kmap_atomic(page);

\tmutex_lock(&m);
\tp[0] = 1;
\tmutex_unlock(&m);
\tkunmap_atomic(p);
}

void through_helpers(struct page *page, struct inode *inode)
{
\tchar *p = kmap_atomic(page);

\tread_region(p, inode);
\tkunmap_atomic(p);
}

void allocates(struct page *page)
{
\tchar *p = kmap_atomic(page);
\tstruct page *extra = alloc_page(GFP_USER);

\tp[0] = !!extra;
\tkunmap_atomic(p);
}

void allocates_atomic(struct page *page)
{
\tchar *p = kmap_atomic(page);
\tstruct page *extra = alloc_page(GFP_ATOMIC);

\tp[0] = !!extra;
\tkunmap_atomic(p);
}

void only_in_a_comment(struct page *page)
{
\tchar *p = kmap_atomic(page);

\t/* no mutex_lock(&m) here, nor msleep(1) */
\tp[0] = 1;
\tkunmap_atomic(p);
}

void after_the_unmap(struct page *page)
{
\tchar *p = kmap_atomic(page);

\tp[0] = 1;
\tkunmap_atomic(p);
\tmsleep(1);
}

void under_a_spinlock(struct page *page, spinlock_t *lock)
{
\tchar *p;

\tspin_lock(lock);
\tp = kmap_atomic(page);
\tmutex_lock(&m);
\tkunmap_atomic(p);
\tspin_unlock(lock);
}

void elsewhere(struct page *page)
{
\tchar *p = kmap_atomic(page);

\tother_dir_sleeps(p);
\tkunmap_atomic(p);
}

void pure(struct page *page)
{
\tchar *p = kmap_atomic(page);

\tfill(p);
\tkunmap_atomic(p);
}
"""

# fs/sl/b.c: the helpers, defined in another file of the directory.
B_C = """\
// SPDX-License-Identifier: GPL-2.0-only
#include <linux/fs.h>

static ssize_t
getxattr_lower(struct inode *inode, char *buf)
{
\tssize_t size;

\tinode_lock(inode);
\tsize = 0;
\tinode_unlock(inode);
\treturn size;
}

int read_region(char *buf, struct inode *inode)
{
\treturn getxattr_lower(inode, buf) < 0;
}

void fill(char *p)
{
\tp[0] = 0;
}
"""

# fs/other/c.c: a sleeper in another directory is not followed.
C_C = """\
void other_dir_sleeps(char *p)
{
\tmsleep(1);
}
"""


def site(function, api="kmap_atomic", rewrite=None, text=A_C):
    lines = text.split("\n")
    start = next(n for n, l in enumerate(lines, 1)
                 if l.startswith("void %s(" % function))
    mapped = next(n for n, l in enumerate(lines[start:], start + 1)
                  if "kmap_atomic(" in l)
    unmap = next(n for n, l in enumerate(lines[mapped:], mapped + 1)
                 if "kunmap_atomic(" in l)
    return {"file": "fs/sl/a.c", "line": mapped, "column": 12,
            "function": function, "api": api, "class": "thread-local",
            "action": "rewritten", "reasons": [],
            "rewrite": rewrite or ["kmap_atomic() -> kmap_local_page()"],
            "page": "page", "address": "p", "unmaps": [unmap]}


@pytest.fixture
def tree(tmp_path):
    tree = fx.make_tree(tmp_path / "tree")
    for path, text in (("fs/sl/a.c", A_C), ("fs/sl/b.c", B_C),
                       ("fs/other/c.c", C_C)):
        (tree / path).parent.mkdir(parents=True, exist_ok=True)
        (tree / path).write_text(text)
    return tree


@pytest.mark.parametrize("function,path", [
    ("direct_lock", ["mutex_lock"]),
    ("through_helpers", ["read_region", "getxattr_lower", "inode_lock"]),
    ("allocates", ["alloc_page"]),
])
def test_sleep_in_atomic_found(tree, function, path):
    found = message.sleeps_removed([site(function)], str(tree))
    assert [(s["function"], p) for s, p in found] == [(function, path)]


@pytest.mark.parametrize("function,why", [
    ("allocates_atomic", "GFP_ATOMIC does not sleep"),
    ("only_in_a_comment", "comments are not code"),
    ("after_the_unmap", "outside the region"),
    ("under_a_spinlock", "still atomic after the conversion"),
    ("elsewhere", "callees of other directories are not followed"),
    ("pure", "the helper does not sleep"),
])
def test_no_sleep_claimed(tree, function, why):
    assert message.sleeps_removed([site(function)], str(tree)) == [], why


def test_kept_atomic_or_not_atomic_claims_nothing(tree):
    kept = site("direct_lock", rewrite=[
        "explicit pagefault_disable()/pagefault_enable() around the mapped "
        "region (kmap_atomic() did it implicitly)"])
    assert message.sleeps_removed([kept], str(tree)) == []
    assert message.sleeps_removed([site("direct_lock", api="kmap")],
                                  str(tree)) == []
    # Without the tree nothing can be shown.
    assert message.sleeps_removed([site("direct_lock")], None) == []


def findings_for(sites):
    patch = ("--- a/fs/sl/a.c\n+++ b/fs/sl/a.c\n@@ -8 +8 @@\n"
             "-\tchar *p = kmap_atomic(page);\n"
             "+\tchar *p = kmap_local_page(page);\n")
    return Findings("t", "fs", "0.1.0", "6.1.0", "kmap_local.cocci", "0",
                    sites=sites, patch=patch)


def test_the_message_says_so(tree):
    files = series.render(findings_for([site("through_helpers")]),
                          ksrc=str(tree), author=AUTHOR, date=DATE)
    msg = files[sorted(files)[1]].partition("\n---\n")[0]
    flat = " ".join(msg.split())
    assert ("This also removes a sleep in atomic context: between "
            "kmap_atomic() and kunmap_atomic(), through_helpers() calls "
            "read_region(), which reaches inode_lock() (through "
            "getxattr_lower()), which may sleep") in flat
    # Without history there is no Fixes: candidate.
    assert "Fixes:" not in files[sorted(files)[1]]


def git(tree, *args):
    return subprocess.run(
        ["git", "-C", str(tree), "-c", "user.name=T", "-c",
         "user.email=t@example.org", "-c", "commit.gpgsign=false"]
        + list(args), check=True, capture_output=True, text=True).stdout


@needs(shutil.which("git"), "git is missing (Debian package git)")
def test_fixes_candidate_from_git_blame(tree):
    git(tree, "init", "-q")
    git(tree, "add", ".")
    git(tree, "commit", "-q", "-m", "sl: Add the region")
    sha = git(tree, "rev-parse", "--short=12", "HEAD").strip()
    files = series.render(findings_for([site("direct_lock")]),
                          ksrc=str(tree), author=AUTHOR, date=DATE)
    text = files[sorted(files)[1]]
    msg, _, below = text.partition("\n---\n")
    assert "Fixes:" not in msg
    assert '\nFixes: %s ("sl: Add the region")\n' % sha in below


def test_no_line_numbers_in_any_message():
    # The fixture's sites carry "at line N" in every note.
    assert all(" line " in " ".join(s.get("rewrite", []) + s["reasons"])
               for s in fx.sites() if s["action"] == "rewritten")
    files = series.render(fx.findings(), author=AUTHOR, date=DATE)
    for name, text in files.items():
        msg = text.partition("\n---\n")[0]
        assert not re.search(r"\blines? \d", msg), name


CACHE = ("may rely on the implicit preempt_disable() of kmap_atomic(): "
         "%s() at line 6 is given the mapped address for cache maintenance, "
         "which "
         "kmap_atomic() kept on this CPU with preemption off")
PERCPU = ("relies on the implicit preempt_disable() of kmap_atomic(): "
          "this_cpu_ptr() at line 5")


@pytest.mark.parametrize("reasons,verb,needs", [
    ([CACHE % "flush_data_cache_page"], "may rely",
     "cache maintenance given the mapped address, which kmap_atomic() kept "
     "on the CPU that maps it: some architectures flush only the calling "
     "CPU's cache, or choose between a local and a global flush by "
     "in_atomic()"),
    ([PERCPU], "relies", "per-CPU data"),
    ([PERCPU, CACHE % "dmac_flush_range"], "relies",
     "per-CPU data; cache maintenance given the mapped address, which "
     "kmap_atomic() kept on the CPU that maps it: some architectures "
     "flush only the calling CPU's cache, or choose between a local and a "
     "global flush by in_atomic()"),
    (["may rely on the implicit preempt_disable() of kmap_atomic(): "
      "preempt_disable() at line 3, in another arm of the #if at line 2, "
      "where this arm maps at line 4 instead"], "may rely",
     "work the function also does with preemption disabled explicitly, "
     "elsewhere or in another configuration's #if branch"),
])
def test_the_preempt_guard_says_what_the_region_needs(reasons, verb, needs):
    """The commit message gives the reason the semantic patch found, not
    one reason for every region that keeps preemption off; cache
    maintenance alone is kept as kmap_atomic() had it, not claimed to be
    needed."""
    site = {"file": "a.c", "line": 4, "function": "f", "api": "kmap_atomic",
            "rewrite": ["kmap_atomic() -> kmap_local_page()",
                        "explicit preempt_disable()/preempt_enable() around "
                        "the region"],
            "reasons": reasons}
    text = " ".join(" ".join(message._changes([site])).split())
    assert ("f() %s on kmap_atomic() disabling preemption (%s), so "
            "preempt_disable()" % (verb, needs)) in text


def test_folio_forms_are_named_in_the_message():
    """A map that became kmap_local_folio() or a folio copy helper is not
    told as kmap_local_page()."""
    sites = [
        {"file": "a.c", "line": 4, "function": "f", "api": "kmap_atomic",
         "rewrite": ["kmap_atomic() -> kmap_local_folio(folio, 0) (the page "
                     "is folio's first)",
                     "kunmap_atomic(p) -> kunmap_local(p) at line 6"],
         "reasons": []},
        {"file": "a.c", "line": 9, "function": "g", "api": "kmap_atomic",
         "rewrite": ["kmap_atomic() + memset() + kunmap_atomic() -> "
                     "folio_zero_range() (the page is folio's first); p is "
                     "no longer needed; the copy stays in one page: the "
                     "length PAGE_SIZE is at most PAGE_SIZE"],
         "reasons": []},
        {"file": "a.c", "line": 14, "function": "h", "api": "kmap_atomic",
         "rewrite": ["kmap_atomic() -> kmap_local_page()"], "reasons": []}]
    text = " ".join(" ".join(message._changes(sites)).split())
    assert ("The kmap_atomic() calls become kmap_local_page() "
            "(kmap_local_folio() of the folio in f(), where the page is a "
            "folio's first) and their unmaps kunmap_local().") in text
    assert ("In g() the map, copy and unmap become folio_zero_range()"
            in text)
    text = " ".join(" ".join(message._changes(sites[:1])).split())
    assert text.startswith("The kmap_atomic() calls become "
                           "kmap_local_folio() of the folio whose first "
                           "page it is and their unmaps kunmap_local().")


def test_what_the_audit_could_not_check_follows_the_reasoning():
    """The unchecked conversion "rests on the reasoning above": all of
    it, the guard a nesting-sensitive site got included."""
    site = {"file": "a.c", "line": 4, "function": "f", "api": "kmap_atomic",
            "class": "nesting-sensitive", "action": "rewritten",
            "rewrite": ["kmap_atomic() -> kmap_local_page()",
                        "explicit preempt_disable()/preempt_enable() around "
                        "the region"],
            "reasons": [PERCPU], "unchecked": "f() was not audited"}
    paras = [" ".join(p.split()) for p in
             message.body([site], ["kmap_atomic"])]
    said = [n for n, p in enumerate(paras)
            if p.startswith("kmap-audit could not check f()")]
    guard = [n for n, p in enumerate(paras) if "preempt_disable()" in p]
    assert said and guard and said[0] > max(guard)
    assert said[0] == len(paras) - 1


@pytest.mark.parametrize("api, before", [("kmap_atomic", True),
                                         ("kmap", False)])
def test_swapped_atomic_unmaps_were_wrong_before_too(api, before):
    """kmap_atomic() mappings share the per-task stack with local ones,
    so unmaps out of order were already a bug; kmap()'s were not."""
    site = {"file": "a.c", "line": 4, "function": "f", "api": api,
            "rewrite": ["%s() -> kmap_local_page()" % api,
                        "unmaps at lines 8 and 9 swapped into LIFO order"],
            "reasons": []}
    text = " ".join(" ".join(message._changes([site])).split())
    assert "f() released two overlapping mappings" in text
    assert ("in f() the old order was already wrong" in text) == before
    # What the wrong order did, true on every architecture: the force-map
    # debug option exists on some architectures only (x86; an ARM-only
    # driver never had it), and the slot popped is the top one (the PTE
    # cleared may be either mapping's).
    assert ("(or under DEBUG_KMAP_LOCAL_FORCE_MAP, on the architectures "
            "that have it) the first unmap warned (WARN_ON_ONCE() in "
            "kunmap_local_indexed()) and popped the newer mapping's slot "
            "off the stack" in text) == before
    assert "on x86" not in text


def test_a_split_chain_and_a_moved_variable_are_told():
    """More than a rename, each has its own sentence (and report label)."""
    sites = [
        {"file": "a.c", "line": 4, "function": "f", "api": "kmap_atomic",
         "rewrite": ["kmap_atomic() -> kmap_local_page()",
                     "start = p = kmap_local_page() -> p = "
                     "kmap_local_page(); start = p (one assignment a "
                     "statement)"], "reasons": []},
        {"file": "a.c", "line": 9, "function": "g", "api": "kmap",
         "rewrite": ["kmap() -> kaddr = kmap_local_page(); p = kaddr (new "
                     "variable kaddr: p moves before the unmap)"],
         "reasons": []}]
    text = " ".join(" ".join(message._changes(sites)).split())
    assert ("In f() the address was assigned to two variables in one "
            "statement (a = b = the map); the map and the second assignment "
            "are now two statements.") in text
    assert ("In g() the variable holding the address moves on before the "
            "unmap, so the address kmap_local_page() returns is also kept "
            "in a new variable, which kunmap_local() is given.") in text
    assert "page_address" not in text


def test_a_cleared_page_is_not_told_as_a_copy():
    """clear_page() of a kmap() that became clear_highpage(): no copy, and
    no bound to cite."""
    sites = [{"file": "a.c", "line": 4, "function": "f", "api": "kmap",
              "rewrite": ["clear_page() of a kmap() + kunmap() -> "
                          "clear_highpage()"], "reasons": []}]
    text = " ".join(" ".join(message._changes(sites)).split())
    assert text == ("In f() the map, clear_page() and unmap become "
                    "clear_highpage(), which maps the page locally itself.")


def test_a_function_converted_in_part_names_the_calls_it_keeps():
    """The functions listed as converted are not read as converted
    whole: one that keeps a call says so in the commit log."""
    done = {"file": "a.c", "line": 4, "function": "f", "api": "kmap_atomic",
            "class": "thread-local", "action": "rewritten",
            "rewrite": ["kmap_atomic() -> kmap_local_page()"], "reasons": []}
    left = dict(done, line=9, action="manual", rewrite=None)
    elsewhere = dict(left, function="g", api="kmap")
    flat = " ".join(" ".join(message.body([done], ["kmap_atomic"], (),
                                          [left, elsewhere])).split())
    assert "f() keeps one kmap_atomic() call that is not converted here." \
        in flat
    assert "g()" not in flat
    two = [left, dict(left, line=12, api="kmap")]
    flat = " ".join(" ".join(message.body([done], ["kmap_atomic"], (),
                                          two)).split())
    assert "f() keeps 2 kmap() and kmap_atomic() calls that are not " \
        "converted here." in flat
    assert "not converted here" not in " ".join(
        message.body([done], ["kmap_atomic"]))


def test_paths_the_audit_proved_are_told_without_a_guess():
    site = {"file": "a.c", "line": 4, "function": "f", "api": "kmap_atomic",
            "class": "thread-local", "action": "rewritten",
            "rewrite": ["kmap_atomic() -> kmap_local_page()"], "reasons": [],
            "proved": ["the path returning at line 9 may leave it mapped: "
                       "no unmap on it that this script sees"]}
    flat = " ".join(" ".join(message.body([site], ["kmap_atomic"])).split())
    assert ("In f() the semantic patch could not show that every path from "
            "the map to a return unmaps it (a condition tested twice, a "
            "loop, an unmap it does not tie to the map); kmap-audit followed "
            "every path of the converted function and found none") in flat
    assert "seemed" not in flat and "say)" not in flat


def test_two_functions_of_one_name_are_told_apart_by_their_files():
    """Two static functions of one name in two files of a patch, one
    made to keep page faults off and one renamed only: each is named
    with its file, so no claim about one reads as said of the other."""
    sites = [
        {"file": "gpu/gem/shmem.c", "line": 4, "function": "pwrite",
         "api": "kmap_atomic", "class": "nesting-sensitive",
         "rewrite": ["kmap_atomic() -> kmap_local_page()",
                     "explicit pagefault_disable() around the copy"],
         "reasons": []},
        {"file": "gpu/gem.c", "line": 9, "function": "pwrite",
         "api": "kmap", "class": "thread-local",
         "rewrite": ["kmap() -> kmap_local_page()"], "reasons": []},
        {"file": "gpu/gem.c", "line": 20, "function": "pread",
         "api": "kmap", "class": "thread-local",
         "rewrite": ["kmap() -> kmap_local_page()"], "reasons": []}]
    text = " ".join(" ".join(message._safety(sites) +
                             message._changes(sites)).split())
    assert ("In pwrite() in gpu/gem.c and pread() the page is mapped and "
            "unmapped within the function") in text
    assert ("The user copies in pwrite() in gpu/gem/shmem.c rely on "
            "kmap_atomic() disabling page faults (with them disabled a "
            "fault ends the copy short instead of being handled, which may "
            "sleep or take locks the caller holds)") in text
    assert "pwrite() rely" not in text and "pwrite() and" not in text


def test_a_call_through_a_function_pointer_says_what_it_can_call():
    """The function-pointer targets the semantic patch resolved are
    named, without the lines the record cites."""
    reason = ("copy_actor (lines 140, 145) is read_csum() or read_bits(): "
              "every call of copy_pages() in this file gives one of them "
              "there, and none relies on the pagefault or preemption "
              "disable of kmap_atomic()")
    site = {"file": "a.c", "line": 4, "function": "copy_pages",
            "api": "kmap_atomic", "class": "thread-local",
            "action": "rewritten",
            "rewrite": ["kmap_atomic() -> kmap_local_page()"],
            "reasons": ["mapped and unmapped in copy_pages() (unmap at line "
                        "9)", reason]}
    text = " ".join(" ".join(message._safety([site])).split())
    assert ("In copy_pages() the mapped region calls through the function "
            "pointer copy_actor; every call of copy_pages() in its file "
            "gives it read_csum() or read_bits(), and none of them relies "
            "on page faults or preemption being disabled.") in text
    assert not re.search(r"\blines? \d", text)


@pytest.mark.parametrize("evidence", [
    ", which this function also calls at line 8 between pagefault_disable() "
    "at line 7 and pagefault_enable() at line 9",
    ", in another arm of the #if at line 6, where this arm maps at line 11 "
    "instead"])
def test_a_pagefault_guard_from_the_codes_own_disable_is_no_user_copy(
        evidence):
    """The message gives the evidence the semantic patch found: the
    function's own explicit disable, not a user copy."""
    site = {"file": "a.c", "line": 11, "function": "g", "api": "kmap_atomic",
            "rewrite": ["kmap_atomic() -> kmap_local_page()",
                        "explicit pagefault_disable()/pagefault_enable() "
                        "around the mapped region"],
            "reasons": ["may rely on the implicit pagefault_disable() of "
                        "kmap_atomic(): op_copy() at line 12" + evidence]}
    text = " ".join(" ".join(message._changes([site])).split())
    assert "user copies" not in text
    assert ("g() also does the work of the mapped region with page faults "
            "disabled explicitly, elsewhere or in another configuration's "
            "#if branch, as kmap_atomic() had them disabled here; so "
            "pagefault_disable() and its enable now keep them disabled "
            "around the mapped region.") in text
