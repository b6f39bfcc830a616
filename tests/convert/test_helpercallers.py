# SPDX-License-Identifier: GPL-2.0-only
"""The callers of a helper pair, read beside the site, named in its
suggestion (tools/kmapconv/helpercallers.py)."""

from kmapconv import helpercallers

HELPERS_C = """/* get_pg() maps; put_pg() unmaps. */
struct page *get_pg(struct inode *dir, unsigned long n)
{
	struct page *page = read_mapping_page(dir->i_mapping, n, NULL);

	if (!IS_ERR(page))
		kmap(page);
	return page;
}

static void put_pg(struct page *page)
{
	kunmap(page);
	put_page(page);
}
"""

GET_C = HELPERS_C + """
static int use(struct inode *dir)
{
	struct page *page = get_pg(dir, 0);	/* not get_pg(dir, 1) */

	if (IS_ERR(page))
		return PTR_ERR(page);
	put_pg(page);
	return 0;
}
"""

OTHER_C = """#include "x.h"

int walk(struct inode *dir)
{
	struct page *page;

	page = get_pg(dir, 3);
	put_pg_later(page, "get_pg(");
	return 0;
}

/* Hands the mapped page to whoever calls it, in any module. */
struct page *lend(struct inode *dir)
{
	return get_pg(dir, 4);
}
EXPORT_SYMBOL_GPL(lend);
"""

X_H = """struct page *get_pg(struct inode *dir, unsigned long n);
"""

# The caveat every pair's advice ends with.
BEYOND = ("functions further along than that (more than two calls from "
          "those named), or given the page or the address inside a "
          "structure, were not looked for: any there change with them too.")

REASON = ("map/unmap split across helper functions: mapping returned to "
          "the caller (line 7); unmapped by put_pg() (fs/d/get.c:10)")


def record(reason=REASON, action="manual"):
    return {"file": "fs/d/get.c", "line": 6, "function": "get_pg",
            "api": "kmap", "action": action, "reasons": [reason],
            "suggestion": "convert the two helpers together"}


def tree(tmp_path):
    d = tmp_path / "fs" / "d"
    d.mkdir(parents=True)
    (d / "get.c").write_text(GET_C)
    (d / "other.c").write_text(OTHER_C)
    (d / "x.h").write_text(X_H)
    return str(tmp_path)


def test_the_callers_of_both_helpers_are_named(tmp_path):
    r = record()
    helpercallers.name_callers(tree(tmp_path), [r])
    assert r["suggestion"] == (
        "convert the two helpers together. The helpers' callers in fs/d/: "
        "get_pg(): use() (get.c); walk(), lend() (other.c); put_pg(): use() "
        "(get.c); get_pg() is not static in a .c file, so callers in other "
        "directories (fs/d/'s own subdirectories too) were not looked for; "
        "lend() is exported, so the mapping may reach modules that keep it "
        "where other threads use it: unless every user is read, keep "
        "kmap(); " + BEYOND)


def test_an_atomic_pair_is_not_told_to_keep_kmap(tmp_path):
    r = record()
    r["api"] = "kmap_atomic"
    helpercallers.name_callers(tree(tmp_path), [r])
    assert "exported" not in r["suggestion"]


def test_comments_strings_and_declarations_are_not_calls(tmp_path):
    d = helpercallers.Directory(tree(tmp_path), "fs/d")
    assert d.callers("get_pg") == {"get.c": ["use"],
                                   "other.c": ["walk", "lend"]}
    assert d.exported("lend") and not d.exported("walk")
    assert d.confined("put_pg", "get.c")
    assert not d.confined("get_pg", "get.c")
    assert not d.confined("get_pg", "x.h")


def test_other_sites_are_left_alone(tmp_path):
    ksrc = tree(tmp_path)
    rewritten = record(action="rewritten")
    other = record(reason="mapped in the loop at line 3 without an unmap")
    helpercallers.name_callers(ksrc, [rewritten, other])
    assert rewritten["suggestion"] == other["suggestion"] == \
        "convert the two helpers together"


def suggested(tmp_path, path, text, helper, line, how):
    """The manual record of helper (mapping at line of path, whose text
    is text; how: the pair reason's words after "mapping "), its
    suggestion completed by name_callers()."""
    (tmp_path / path).parent.mkdir(parents=True)
    (tmp_path / path).write_text(text)
    r = {"file": path, "line": line, "function": helper, "api": "kmap",
         "action": "manual", "suggestion": "read the callers",
         "reasons": ["map/unmap split across helper functions: mapping "
                     + how]}
    helpercallers.name_callers(str(tmp_path), [r])
    return r


KEEP_C = """static void *map_it(unsigned long pfn)
{
	return kmap(pfn_to_page(pfn));
}

static void unmap_it(unsigned long pfn, void *p)
{
	kunmap(pfn_to_page(pfn));
}

static int refresh(struct cache *c, unsigned long pfn, void **out)
{
	void *v = NULL;

	if (c->valid == 0)
		v = map_it(pfn);
	if (!v)
		return -ENOMEM;
	c->khva = v + c->offset;
	*out = map_it(pfn + 1);
	return 0;
}

static int name_at(unsigned long pfn)
{
	struct qstr name;

	name.name = map_it(pfn);
	return lookup(&name);
}

static int peek(unsigned long pfn)
{
	char *p = map_it(pfn);
	int x = p[0];

	unmap_it(pfn, p);
	return x;
}
"""


def test_a_caller_that_keeps_the_address_is_named(tmp_path):
    """A caller storing what the map helper returns in a structure, where
    it outlives the call, is the fact that decides between kmap() and a
    local mapping; one that keeps it in a local and unmaps is not such a
    caller."""
    r = suggested(tmp_path, "virt/k/cache.c", KEEP_C, "map_it", 3,
                  "returned to the caller (line 3); unmapped by "
                  "unmap_it() (virt/k/cache.c:8)")
    assert ("refresh() keeps what map_it() returns in c->khva "
            "(cache.c:19): the mapping outlives that call, so if other "
            "threads or later calls use it there, keep kmap()") \
        in r["suggestion"]
    # Handed to its caller (the helper-pair advice covers that), in a
    # local structure, in a local of a caller that unmaps: none is kept.
    assert "*out" not in r["suggestion"]
    assert "name.name" not in r["suggestion"]
    assert "cache.c:34" not in r["suggestion"]


LEND_C = HELPERS_C + """
/* Returns the entry's page still mapped through *res. */
static void *find(struct inode *dir, struct page **res)
{
	struct page *page = get_pg(dir, 0);

	if (IS_ERR(page))
		return NULL;
	if (!match(page)) {
		put_pg(page);
		return NULL;
	}
	*res = page;
	return page_address(page);
}

static int ino_of(struct inode *dir)
{
	struct page *page;
	int ino = 0;

	if (find(dir, &page)) {
		ino = 1;
		kunmap(page);
		put_page(page);
	}
	return ino;
}

static int delete_entry(struct page *page)
{
	put_pg(page);
	return 0;
}

static int unlink_one(struct inode *dir)
{
	struct page *page;

	if (!find(dir, &page))
		return -ENOENT;
	return delete_entry(page);
}

static int check_root(struct page *page)
{
	kmap(page);
	put_pg(page);
	return 0;
}

static int peek_other(struct page *page, struct page *other)
{
	char *v = kmap(other);
	int x = v[0];

	kunmap(other);
	put_pg(page);
	return x;
}

/* Returns what the helper returns: its callers get the mapping. */
static struct page *get_first(struct inode *dir)
{
	return get_pg(dir, 0);
}

static int first_byte(struct inode *dir)
{
	struct page *page = get_first(dir);
	int x = ((char *)page_address(page))[0];

	delete_entry(page);
	return x;
}

/* Looks at an array of pages: a pointer to a pointer, not handed out. */
static int count(struct page **pages)
{
	return pages[0] == get_pg(NULL, 0);
}

/* Maps and unmaps its own page, and the unmap helper of another pair. */
static int own(struct page *page)
{
	char *p = kmap(page);
	int x = p[0];

	kunmap(page);
	return x;
}

static void drop(void *addr)
{
	kunmap(virt_to_page(addr));
}
"""


def test_a_function_that_unmaps_what_a_caller_handed_on_is_named(tmp_path):
    """find() releases the helper's mapping on one path and hands it on
    on another; ino_of() gets it and unmaps it with kunmap() itself.
    Converting the helpers and their callers without ino_of() would
    leave a kunmap() of a local mapping: the advice names it.  own()
    (its own map) and drop() (no tie to the helpers) are not named."""
    r = suggested(tmp_path, "fs/v/dir.c", LEND_C, "get_pg", 6,
                  "returned to the caller as its page (line 7); unmapped "
                  "by put_pg() (fs/v/dir.c:10)")
    assert ("; ino_of() (dir.c) calls kunmap() on a mapping it does not "
            "make: where that is the helper's, handed on to it, it "
            "converts with them (to kunmap_local() of an address in the "
            "page)") in r["suggestion"]
    assert "own()" not in r["suggestion"]
    assert "drop()" not in r["suggestion"]


def test_who_gets_the_page_handed_out_and_who_maps_for_the_put_helper(
        tmp_path):
    """unlink_one() gets the page find() hands out through *res and
    passes it to a function that unmaps it; check_root() maps a page with
    kmap() itself and releases it with the put helper: both change with
    the helpers, as does first_byte(), given the page by get_first(),
    which returns what the helper returns.  peek_other() releases with
    the helper a page it did not map itself; count() takes an array and
    compares, it hands nothing out."""
    r = suggested(tmp_path, "fs/v/dir.c", LEND_C, "get_pg", 6,
                  "returned to the caller as its page (line 7); unmapped "
                  "by put_pg() (fs/v/dir.c:10)")
    assert ("; first_byte() (dir.c, from get_first()), unlink_one() "
            "(dir.c, from find()) call a caller of the helper that hands "
            "the mapping out: where they get it, they unmap it or hand it on "
            "and convert with them") in r["suggestion"]
    assert ("; check_root() (dir.c) gives the unmap helper a page it maps "
            "with kmap() itself: that kmap() converts with them") \
        in r["suggestion"]
    assert "peek_other() (dir.c) gives" not in r["suggestion"]
    assert "from count()" not in r["suggestion"]


OUT_C = """/* get_cp() hands the mapped buffer out through *bhp, put_cp() unmaps. */
int get_cp(struct inode *f, u64 cno, struct buffer_head **bhp)
{
	struct buffer_head *bh = read_block(f, cno);

	kmap(bh->b_page);
	*bhp = bh;
	return 0;
}

void put_cp(struct inode *f, struct buffer_head *bh)
{
	kunmap(bh->b_page);
	brelse(bh);
}

/* Uses the buffer and releases it; hands out a root, not the buffer. */
int attach(struct inode *f, u64 cno, struct root **rootp)
{
	struct buffer_head *bh;
	struct root *root = new_root();
	int err;

	err = get_cp(f, cno, &bh);
	if (err)
		return err;
	put_cp(f, bh);
	*rootp = root;
	return err;
}

/* Passes its own pointer on: its caller gets the buffer. */
int get_latest(struct inode *f, struct buffer_head **bhp)
{
	return get_cp(f, 0, bhp);
}

static void release(struct inode *f, struct buffer_head *bh)
{
	put_cp(f, bh);
}

int mount_it(struct inode *f)
{
	struct root *root;
	struct buffer_head *bh;

	if (attach(f, 1, &root))
		return -EIO;
	if (get_latest(f, &bh))
		return -EIO;
	release(f, bh);
	return 0;
}
"""


def test_a_helper_that_hands_out_by_pointer_lends_through_pointers_only(
        tmp_path):
    """get_cp() returns a status and hands the buffer out through *bhp:
    attach() gets it (&bh) and releases it, and what it returns or
    hands out (err, *rootp = root) is not the buffer; get_latest() passes
    its own **bhp on, so mount_it() gets the buffer from it."""
    r = suggested(tmp_path, "fs/n/cp.c", OUT_C, "get_cp", 5,
                  "of bh's page handed to the caller through *bhp (line "
                  "6); unmapped by put_cp() (fs/n/cp.c:11)")
    assert "mount_it() (cp.c, from get_latest()) calls a caller" \
        in r["suggestion"]
    assert "from attach()" not in r["suggestion"]


# A map helper that returns its kmap_atomic() address, and the callers
# that release it through an unmap helper of their own (one level of
# wrapper too), or hand it on.
RETURNED_C = """static unsigned long *map_idx(struct bits *b, unsigned int i)
{
	struct page *page = b->pages[i];
	return (unsigned long *)kmap_atomic(page);
}

static unsigned long *map_idx_checked(struct bits *b, unsigned int i)
{
	return map_idx(b, i);
}

static void __unmap_word(unsigned long *p_addr)
{
	kunmap_atomic(p_addr);
}

static void unmap_word(unsigned long *p_addr)
{
	__unmap_word(p_addr);
}

static int count(struct bits *b, unsigned int i)
{
	unsigned long *w = map_idx(b, i);
	int n = hweight_long(*w);

	log_word(w);
	__unmap_word(w);
	return n;
}

static void set_last(struct bits *b)
{
	unsigned long *w;

	w = map_idx_checked(b, b->n - 1);
	*w = ~0UL;
	unmap_word(w);
}
"""

UNSEEN = ("map/unmap split across functions: no kunmap_atomic() of this "
          "address after this map in map_idx()")


def returned(tmp_path, text, suggestion="read it"):
    """The suggestion of map_idx()'s record (a returned kmap_atomic()
    address), bits.c being text, as name_callers() completes it."""
    (tmp_path / "lib" / "b").mkdir(parents=True, exist_ok=True)
    (tmp_path / "lib" / "b" / "bits.c").write_text(text)
    r = {"file": "lib/b/bits.c", "line": 4, "function": "map_idx",
         "api": "kmap_atomic", "action": "manual", "reasons": [UNSEEN],
         "suggestion": suggestion}
    helpercallers.name_callers(str(tmp_path), [r])
    return r["suggestion"]


def test_a_returned_address_is_paired_with_what_its_callers_release_it_with(
        tmp_path):
    # log_word() is given the address but does not unmap it: no helper.
    assert returned(tmp_path, RETURNED_C, "released elsewhere") == (
        "released elsewhere. map_idx() returns the mapping, and its callers "
        "here give it to __unmap_word() (lib/b/bits.c), which unmaps it. "
        "The helpers' callers in lib/b/: map_idx(): map_idx_checked(), "
        "count() (bits.c); __unmap_word(): unmap_word(), count() (bits.c); "
        "set_last() (bits.c, from map_idx_checked()) calls a caller of the "
        "helper that hands the mapping out: where it gets it, it unmaps it "
        "or hands it on and converts with them; " + BEYOND)


def test_a_map_that_is_not_returned_gets_no_callers(tmp_path):
    assert returned(tmp_path, RETURNED_C.replace(
        "return (unsigned long *)kmap_atomic(page);",
        "b->cur = kmap_atomic(page);\n\treturn b->cur;")) == "read it"


def test_a_returned_address_nobody_here_is_seen_to_release_gets_nothing(
        tmp_path):
    """The callers may keep what the map returns (a cache that a later
    call unmaps): with no release seen, the suggestion is left alone."""
    assert returned(tmp_path, RETURNED_C.replace(
        "__unmap_word(w);", "b->held = w;").replace(
        "unmap_word(w);", "b->held = w;")) == "read it"


def test_an_unmap_helper_is_matched_by_the_argument_it_unmaps(tmp_path):
    """unmap_at(flags, addr) unmaps its second parameter: a caller that
    gives the mapping there pairs with it, one argument place off does
    not."""
    text = RETURNED_C.replace(
        "static void __unmap_word(unsigned long *p_addr)\n{\n"
        "\tkunmap_atomic(p_addr);\n}",
        "static void __unmap_word(unsigned long flags, unsigned long "
        "*p_addr)\n{\n\tkunmap_atomic(p_addr);\n\tlocal_irq_restore(flags);"
        "\n}").replace("__unmap_word(p_addr);", "__unmap_word(0, p_addr);")
    for call, found in (("__unmap_word(f, w);", [("__unmap_word",
                                                  "lib/b/bits.c")]),
                        ("__unmap_word(w, f);", [])):
        returned(tmp_path, text.replace("__unmap_word(w);", call))
        d = helpercallers.Directory(str(tmp_path), "lib/b")
        assert d.releasers("map_idx", "kunmap_atomic") == found


# A get/put pair whose page reaches functions that read it through
# page_address(): one the get helper checks it with, one a caller hands
# it to; another only looks at the page's flags.
FURTHER_C = """static int check_pg(struct page *page)
{
	char *kaddr = page_address(page);

	return kaddr[0] == 0;
}

static struct page *get_pg(struct inode *dir, unsigned long n)
{
	struct page *page = read_mapping_page(dir->i_mapping, n, NULL);

	if (!IS_ERR(page)) {
		kmap(page);
		if (!check_pg(page))
			goto fail;
	}
	return page;
fail:
	put_pg(page);
	return ERR_PTR(-EIO);
}

static void put_pg(struct page *page)
{
	kunmap(page);
	put_page(page);
}

static void clear_entry(struct page *page, unsigned int off)
{
	memset(page_address(page) + off, 0, 8);
}

static void release(struct page *page)
{
	kunmap(page);
	put_page(page);
}

static int dirty_only(struct page *page)
{
	return PageDirty(page);
}

static int drop(struct inode *dir)
{
	struct page *page = get_pg(dir, 0);

	if (IS_ERR(page))
		return PTR_ERR(page);
	clear_entry(page, 8);
	dirty_only(page);
	release(page);
	return 0;
}
"""


def test_functions_given_the_page_that_read_its_address_are_named(
        tmp_path):
    r = suggested(tmp_path, "fs/e/dir.c", FURTHER_C, "get_pg", 13,
                  "returned to the caller (line 17); unmapped by put_pg() "
                  "(fs/e/dir.c:25)")
    assert r["suggestion"] == (
        "read the callers. The helpers' callers in fs/e/: get_pg(): drop() "
        "(dir.c); put_pg(): get_pg() (dir.c); check_pg() (dir.c), "
        "clear_entry() (dir.c) are given the mapped page by drop() and "
        "get_pg() and reach its address with page_address(): they convert "
        "with them; release() (dir.c) is given the mapped page by drop() and "
        "unmaps it (with kunmap() or put_pg()): it converts with them; " +
        BEYOND)
