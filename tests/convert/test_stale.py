# SPDX-License-Identifier: GPL-2.0-only
"""Comments near the rewrite that it may have made stale: listed in
report.md, never edited."""

from kmapconv import report, stale
from kmapconv.findings import Findings

SOURCE = """\
/* SPDX-License-Identifier: GPL-2.0-only */
int copy(struct page *page, char *buf)
{
	/* Atomic context: we must not sleep until kunmap_atomic(). */
	char *addr = kmap_atomic(page);

	memcpy(buf, addr, 8);	// a plain copy
	kunmap_atomic(addr);
	return 0;
}

/*
 * far(): kmap_atomic() here too, but far from any changed line.
 */
"""

PATCH = """\
--- a/fs/a.c
+++ b/fs/a.c
@@ -2,8 +2,8 @@
 int copy(struct page *page, char *buf)
 {
 	/* Atomic context: we must not sleep until kunmap_atomic(). */
-	char *addr = kmap_atomic(page);
+	char *addr = kmap_local_page(page);
 
 	memcpy(buf, addr, 8);	// a plain copy
-	kunmap_atomic(addr);
+	kunmap_local(addr);
 	return 0;
"""


def tree(tmp_path):
    (tmp_path / "fs").mkdir()
    (tmp_path / "fs" / "a.c").write_text(SOURCE)
    return str(tmp_path)


def test_comments_near_changed_lines_that_name_the_old_calls(tmp_path):
    assert stale.comments(tree(tmp_path), PATCH) == [
        ("fs/a.c", 4, "/* Atomic context: we must not sleep until "
         "kunmap_atomic(). */")]


def test_what_counts_as_a_comment():
    assert stale.comment_part("\tx = 1; // kmap it") == " kmap it"
    assert stale.comment_part(" * kmap_atomic() disables preemption") == \
        " kmap_atomic() disables preemption"
    assert stale.comment_part("\taddr = kmap(page);") == ""
    assert stale.comment_part(" */") == ""


def test_the_report_lists_them(tmp_path):
    f = Findings("tree", "fs", "0", "6.12", "kmap_local.cocci", "0" * 64)
    f.stale_comments = stale.comments(tree(tmp_path), PATCH)
    text = report.render(f)
    assert "## Comments near the rewrite that may be stale" in text
    assert "- `fs/a.c:4`: `/* Atomic context: we must not sleep until " \
        "kunmap_atomic(). */`" in text
    f.stale_comments = []
    assert "## Comments near the rewrite that may be stale\n\n" in \
        report.render(f)


HEADED = """\
/* SPDX-License-Identifier: GPL-2.0-only */
int unrelated(void);

/*
 * build(): fills the table.
 * Uses atomic kmaps of highmem pages to avoid TLB thrashing.
 */
static int build(struct page *page, int n)
{
	int i, r = 0;

	for (i = 0; i < n; i++)
		r += i;
	r *= 2;
	r -= n;
	{
		int *addr = kmap_atomic(page);

		addr[0] = r;
		kunmap_atomic(addr);
	}
	return r;
}
"""

HEADED_PATCH = """\
--- a/fs/b.c
+++ b/fs/b.c
@@ -16,8 +16,8 @@
 	{
-		int *addr = kmap_atomic(page);
+		int *addr = kmap_local_page(page);
 
 		addr[0] = r;
-		kunmap_atomic(addr);
+		kunmap_local(addr);
 	}
 	return r;
 }
"""


def test_the_comment_above_the_changed_function_is_read_too(tmp_path):
    # Far from the changed lines, but it says how the function maps.
    (tmp_path / "fs").mkdir()
    (tmp_path / "fs" / "b.c").write_text(HEADED)
    assert stale.comments(str(tmp_path), HEADED_PATCH) == [
        ("fs/b.c", 6, "* Uses atomic kmaps of highmem pages to avoid TLB "
         "thrashing.")]


BLOCK_SOURCE = """\
int move(struct page *s, struct page *d)
{
	char *sa = kmap_atomic(s), *da = kmap_atomic(d);

	/*
	 * kunmap_atomic() calls must occur in reverse order of
	 * calls to kmap_atomic().
	 * See the documentation for more.
	 */
	x = 1;
	kunmap_atomic(da);
	kunmap_atomic(sa);
	return 0;
}
"""

BLOCK_PATCH = """\
--- a/fs/b.c
+++ b/fs/b.c
@@ -10,4 +10,4 @@
 	x = 1;
-	kunmap_atomic(da);
-	kunmap_atomic(sa);
+	kunmap_local(da);
+	kunmap_local(sa);
 	return 0;
"""


def test_a_comment_block_near_the_rewrite_is_read_whole(tmp_path):
    """Its last line is near the changed unmaps, the lines naming the old
    calls are further up: the block is one comment."""
    (tmp_path / "fs").mkdir()
    (tmp_path / "fs" / "b.c").write_text(BLOCK_SOURCE)
    found = stale.comments(str(tmp_path), BLOCK_PATCH)
    assert [line for _path, line, _text in found] == [6, 7]
