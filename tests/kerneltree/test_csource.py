# SPDX-License-Identifier: GPL-2.0-only
"""The one C function finder: every command names a function as spatch
and the audit do, whatever annotations surround it."""

import pytest

from kerneltree import csource
from kmapconv import reduce
from vmtest import funcedit

C_TEXT = """\
#define BRACES { }
static const struct ops my_ops = {
\t.open = my_open,
};

/* not { a function } */
static int
my_open(struct inode *inode,
\tstruct file *f)
{
\tconst char *s = "}";
\tif (f) {
\t\treturn 1;
\t}
\treturn 0;
}

int proto(int x);

SYSCALL_DEFINE1(thing, int, x)
{
\treturn x;
}
"""


def test_function_extents():
    funcs = csource.functions(C_TEXT)
    assert funcs == [csource.Function("my_open", 7, 16),
                     csource.Function("SYSCALL_DEFINE1", 20, 23)]
    assert csource.at(funcs, 12).name == "my_open"
    assert csource.at(funcs, 18) is None



@pytest.mark.parametrize("header, name", [
    ("static int __attribute__((cold)) f(int a)\n", "f"),
    ("static int __attribute__((__section__(\"x\"))) f(int a)\n", "f"),
    ("static void g(void) __must_hold(&l)\n", "g"),
    ("static void g(void)\n\t__acquires(&a) __releases(&b)\n", "g"),
    ("static __printf(2, 3) int h(int x, const char *fmt, ...)\n", "h"),
    ("int (*pick(int x))(int)\n", "pick"),
    ("SYSCALL_DEFINE3(read, unsigned int, fd, char __user *, buf, size_t, n)\n",
     "SYSCALL_DEFINE3"),
    ("static struct ops o = \n", None),
    ("struct thing\n", None),
])
def test_function_name_past_annotations(header, name):
    code = csource.strip_comments_and_strings(header)
    assert csource.function_name(code) == name


ANNOTATED = """\
static int __attribute__((cold)) cold_one(struct page *page)
{
\treturn 0;
}

static void held(void) __must_hold(&lock)
{
\tkunmap(p);
}
"""


def test_every_finder_agrees_on_annotated_definitions(tmp_path):
    assert [f.name for f in csource.functions(ANNOTATED)] == ["cold_one",
                                                              "held"]
    # The converter's reduced view keeps the function that names the
    # API and blanks the other: by name, so the name must be right.
    reduced = reduce.reduce(ANNOTATED)
    assert "kunmap(p)" in reduced and "return 0" not in reduced
    # The VM harness inserts at the top of the body it names.
    path = tmp_path / "f.c"
    path.write_text(ANNOTATED)
    assert funcedit.insert_at_top(str(path), "held", "\tMARK;\n")
    assert "__must_hold(&lock)\n{\n\tMARK;\n\tkunmap(p);" in path.read_text()
    assert funcedit.insert_at_top(str(path), "cold_one", "\tMARK;\n")
    assert "cold_one(struct page *page)\n{\n\tMARK;\n\treturn 0;" in \
        path.read_text()


CONDITIONAL = """\
#ifdef CONFIG_MMU
int with_mmu;
#if 0 /* } not a brace */
#endif
#else
int without_mmu;
#  if defined(CONFIG_A) \\
	&& defined(CONFIG_B)
int both;
#  elif defined(CONFIG_C)
int c;
#  endif
#endif
int always;
"""


@pytest.mark.parametrize("line, conditions", [
    (2, ["#ifdef CONFIG_MMU"]),
    (6, ["#ifdef CONFIG_MMU", "#else"]),
    (9, ["#ifdef CONFIG_MMU", "#else", "#if defined(CONFIG_A) \\"]),
    (11, ["#ifdef CONFIG_MMU", "#else", "#if defined(CONFIG_A) \\",
          "#elif defined(CONFIG_C)"]),
    (14, []),
])
def test_enclosing_conditions(line, conditions):
    assert csource.enclosing_conditions(CONDITIONAL, line) == conditions


ARMS = """\
int f(struct page *page)
{
#ifdef CONFIG_64BIT
	pagefault_disable();
#elif defined(CONFIG_X)
	x();
#else
	p = kmap_atomic(page);
#  ifdef CONFIG_Y
	y();
#  endif
#endif
	shared();
}
"""


def test_conditional_arms_and_the_arm_another_line_is_not_in():
    assert csource.conditional_arms(ARMS, 4) == [(3, 0)]
    assert csource.conditional_arms(ARMS, 8) == [(3, 2)]
    assert csource.conditional_arms(ARMS, 10) == [(3, 2), (9, 0)]
    assert csource.conditional_arms(ARMS, 13) == []
    assert csource.other_arm(ARMS, 4, 8) == 3
    assert csource.other_arm(ARMS, 6, 10) == 3
    assert csource.other_arm(ARMS, 8, 10) is None   # nested, both compiled
    assert csource.other_arm(ARMS, 4, 13) is None   # after the group
