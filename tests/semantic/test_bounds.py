# SPDX-License-Identifier: GPL-2.0-only
"""The copy-helper bound: memcpy_*_page() and memzero_page() replace a
copy only when the code shows offset + length <= PAGE_SIZE, and cite
why."""

import pytest

from kmap_local import bounds
from kmap_local.ctext import squash, strip_c
from modulelib import Function, decide, new_session


@pytest.mark.parametrize("length, off, ok", [
    ("PAGE_SIZE", "0", True),
    ("PAGE_SIZE", "off", False),
    ("PAGE_SIZE-off", "off", True),
    ("PAGE_SIZE-(off)", "off", True),
    ("min(len,PAGE_SIZE-off)", "off", True),
    ("min_t(size_t,len,PAGE_SIZE)", "0", True),
    ("min_t(size_t,PAGE_SIZE,len)", "off", False),
    ("len<PAGE_SIZE?len:PAGE_SIZE", "0", True),
    ("len>PAGE_SIZE?len:PAGE_SIZE", "0", False),
    ("len", "0", False),
])
def test_a_length_bounded_on_its_own(length, off, ok):
    assert bounds.bounded(length, off) is ok


def bound(before, after="", off="0", length="len"):
    return bounds.copy_bound(strip_c(before), strip_c(after), off, length)


def test_an_assignment_on_every_path_is_cited():
    assert bound("len = min_t(size_t, count, PAGE_SIZE);") == \
        "len = min_t(size_t,count,PAGE_SIZE)"


def test_a_clamp_on_some_paths_bounds_the_length():
    assert bound("len = count;\nif (len > PAGE_SIZE)\n\tlen = PAGE_SIZE;") \
        == "if (len>PAGE_SIZE) len = PAGE_SIZE"


def test_an_unbounded_length_gives_no_reason():
    assert bound("len = count;") is None
    assert bound("") is None


def test_a_label_before_the_copy_gives_no_reason():
    assert bound("len = PAGE_SIZE;\nagain:\n\tfoo();") is None


def test_an_offset_changed_after_the_bound_gives_no_reason():
    assert bound("len = PAGE_SIZE - off;\noff++;", off="off") is None


def test_a_loop_that_grows_the_length_after_the_copy_gives_no_reason():
    # (the text starts with the function, whose body is the first block)
    before = "void f(int n)\n{\nlen = PAGE_SIZE;\nwhile (n) {\n"
    assert bound(before, "memcpy(a, b, len);\nlen += 8;\n}\n}\n") is None
    assert bound(before, "memcpy(a, b, len);\nn--;\n}\n}\n") == \
        "len = PAGE_SIZE"


def test_comment_and_string_braces_are_not_code():
    assert squash(strip_c('x = "{;}"; /* } */ y = 1; // {')) == 'x="";y=1;'


COPY = """void f(struct page *page, char *buf, size_t count)
{
	size_t len = min_t(size_t, count, PAGE_SIZE);

	memcpy(buf, kmap(page), len);
	kunmap(page);
}"""


def copy_site(tmp_path, body):
    fn = Function(tmp_path, "f", body)
    s = new_session()
    p = fn.at("kmap(page)")
    s.site(p, "kmap", "page")
    s.argument(p, "memcpy")
    u = fn.at("kunmap(page)")
    s.unmap(u, "kunmap", "page")
    s.copy_through_map("from", p, u, "kmap(page)", "len")
    return s, decide(s)[(5, "kmap")]


def test_a_bounded_copy_becomes_the_helper_with_its_reason(tmp_path):
    s, rec = copy_site(tmp_path, COPY)
    assert rec["action"] == "rewritten"
    assert rec["rewrite"] == [
        "memcpy() of a kmap() + kunmap() -> memcpy_from_page(); the copy "
        "stays in one page: len = min_t(size_t,count,PAGE_SIZE)"]
    assert list(s.rw.copy_helpers.values()) == ["from"]


def test_an_unbounded_copy_is_not_a_helper_and_says_why(tmp_path):
    _, rec = copy_site(tmp_path, COPY.replace(
        "min_t(size_t, count, PAGE_SIZE)", "count"))
    assert rec["action"] == "manual"
    assert rec["suggestion"] == ("the mapped address is not kept in a local "
                                 "variable; keep it in one and pass it to "
                                 "kunmap_local()")
