# SPDX-License-Identifier: GPL-2.0-only
"""make convert resolves a function-pointer parameter called in a
kmap_atomic() region in the site's directory (kmapconv/pointercalls.py),
and shows the semantic patch the whole file: the functions the callers
give are not called from a map, and a reduced view would blank their
bodies."""

import json
import os

from kmapconv import pointercalls

from testlib import run_module

SOURCE = """\
typedef size_t (*actor_t)(void *desc, void *to, size_t len);

static size_t read_bits(void *desc, void *to, size_t len)
{
	memcpy(to, desc, len);
	return len;
}

static size_t read_counted(void *desc, void *to, size_t len)
{
	this_cpu_inc(reads);
	memcpy(to, desc, len);
	return len;
}

static size_t copy_pages(struct page *page, void *desc, actor_t actor)
{
	char *kaddr;
	size_t ret;

	kaddr = kmap_atomic(page);
	ret = actor(desc, kaddr, 8);
	kunmap_atomic(kaddr);
	return ret;
}

static size_t copy_counted(struct page *page, void *desc, actor_t actor)
{
	char *kaddr;
	size_t ret;

	kaddr = kmap_atomic(page);
	ret = actor(desc, kaddr, 8);
	kunmap_atomic(kaddr);
	return ret;
}

size_t receive(struct page *page, void *desc)
{
	return copy_pages(page, desc, read_bits) +
	       copy_counted(page, desc, read_counted);
}
"""


def tree(root):
    (root / "fs" / "x").mkdir(parents=True)
    (root / "Kconfig").write_text("")
    (root / "Makefile").write_text("VERSION = 6\nPATCHLEVEL = 1\n")
    (root / "fs" / "x" / "walk.c").write_text(SOURCE)
    return root


def test_targets_resolved_in_the_directory_and_read_whole(tmp_path):
    ksrc = tree(tmp_path / "linux")
    out = tmp_path / "out"
    res = run_module("kmapconv", "convert", "--ksrc", ksrc, "--subsys", "fs",
                     "--out", out, "--no-verify", "--jobs", "1",
                     env=dict(os.environ,
                              KMAPCONV_CACHE=str(tmp_path / "cache")))
    assert res.returncode == 0, res.stderr
    sites = {s["function"]: s for s in map(json.loads,
                                           (out / "sites.jsonl").open())}
    plain = sites["copy_pages"]
    assert plain["action"] == "rewritten"
    assert any(r.startswith("actor (line 22) is read_bits(): every call "
                            "of copy_pages() in this file gives it there")
               for r in plain["reasons"])
    # read_counted()'s body is read (a reduced view would have blanked
    # it): the region keeps preemption off, as for a call by name
    counted = sites["copy_counted"]
    assert counted["reasons"] == [
        "relies on the implicit preempt_disable() of kmap_atomic(): "
        "read_counted() at line 33 (called through actor), which calls "
        "this_cpu_inc()"]
    assert any(n.startswith("explicit preempt_disable()")
               for n in counted["rewrite"])
    assert all(pointercalls.FIELD not in s for s in sites.values())
    patch = (out / "kmap-local.patch").read_text()
    assert "+\tkaddr = kmap_local_page(page);" in patch


def test_told_replaces_the_value_and_names_the_whole_files():
    argv = pointercalls.told(["spatch", "--sp-file", "k.cocci"])
    assert argv[:2] == ["env", "KMAP_LOCAL_POINTERS="]
    assert pointercalls.whole_files(argv) == set()
    argv = pointercalls.told(argv, "fs/x/walk.c:copy_pages:actor=read_bits")
    assert [a for a in argv if a.startswith("KMAP_LOCAL_POINTERS")] == [
        "KMAP_LOCAL_POINTERS=fs/x/walk.c:copy_pages:actor=read_bits"]
    assert pointercalls.whole_files(argv) == {"fs/x/walk.c"}
