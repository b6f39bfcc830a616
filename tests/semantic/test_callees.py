# SPDX-License-Identifier: GPL-2.0-only
"""What a function relies on through the callees its own file defines
(semantic-patches/kmap_local/callees.py): a few calls deep, never past a
function defined elsewhere (a local header's included)."""

import pytest

from kmap_local import callees, facts
from kmap_local.classify import dependency

C_FILE = """
#include "local.h"

/* slot_of() { ... smp_processor_id() ... } in a comment is not a body. */
static int slot_of(struct table *t)
{
	return t->base + current_slot("slot_of(");
}

static inline int current_slot(const char *why)
{
	return smp_processor_id() & 7;
}

static int via_header(void)
{
	return header_slot();
}

static int deeper(struct table *t)
{
	return slot_of(t) + 1;
}

static int loops(int n)
{
	return n ? loops(n - 1) : 0;
}

static int
split_head(void __user *p)
{
	return copy_from_user(buf, p, 4);
}

int only_declared(void);
"""

LOCAL_H = """
static inline int header_slot(void)
{
	return smp_processor_id() & 7;
}
"""


class Sources:
    def __init__(self, files):
        self.files = files

    def of(self, path):
        return self.files[path].split("\n")


def definitions():
    return callees.Definitions(Sources({"a.c": C_FILE, "local.h": LOCAL_H}))


def reliance(name, depth=callees.CALLEE_DEPTH):
    return callees.first_reliance(definitions(), "a.c", name, dependency,
                                  depth)


def test_a_helper_of_the_file_is_read():
    assert reliance("slot_of") == \
        (["slot_of", "current_slot"], "smp_processor_id", "preempt")


def test_a_local_header_is_not_read():
    # make convert leaves out the local headers that do not name the
    # mapping API: reading them alone would split its answers from
    # spatch's run alone.
    assert reliance("via_header") is None


def test_the_search_stops_at_its_depth():
    assert reliance("deeper") is None
    assert reliance("deeper", depth=3) == \
        (["deeper", "slot_of", "current_slot"], "smp_processor_id",
         "preempt")


def test_a_user_copy_in_a_helper_is_a_pagefault_reliance():
    # The return type on a line of its own: still a definition.
    assert reliance("split_head") == \
        (["split_head"], "copy_from_user", "pagefault")


def test_what_the_file_does_not_define_is_not_read():
    assert definitions().body("a.c", "only_declared") is None
    assert reliance("only_declared") is None
    assert reliance("memcpy") is None


def test_recursion_ends():
    assert reliance("loops", depth=5) is None


ESCAPES = """
static void *saved;
static struct holder h;

static void keep(void *buf)
{
	char *p = buf;

	saved = p + 4;
}

static void park(void *buf)
{
	h.ptr = buf;
}

static void defer(struct work_struct *w, void *buf)
{
	queue_work(system_wq, (void *)buf);
}

static void park_and_defer(void *buf)
{
	h.ptr = buf;
	schedule_work(&h.work);
}

static void passes_on(int n, void *buf)
{
	if (n)
		keep(buf);
}

static void only_reads(const u8 *buf, int n)
{
	u8 local[4];
	u8 *q = local;

	*q = buf[n];
	total += buf[0];
}

static int total;
"""


def escape(name, index):
    defs = callees.Definitions(Sources({"e.c": ESCAPES}))
    return callees.escape(defs, "e.c", name, index)


def test_a_store_in_a_file_scope_variable_lets_it_out():
    # Through a local pointer built on the parameter too.
    assert escape("keep", 0) == (["keep"], ("store", "saved"))
    assert escape("park", 0) == (["park"], ("store", "h.ptr"))


def test_deferred_work_given_it_lets_it_out():
    assert escape("defer", 1) == (["defer"], ("deferred", "queue_work"))
    assert escape("defer", 0) is None
    # Stored in a variable that deferred work is then given.
    assert escape("park_and_defer", 0) == (
        ["park_and_defer"], ("stored, deferred", ("h.ptr", "schedule_work")))


def test_a_callee_of_a_callee_is_followed():
    assert escape("passes_on", 1) == (["passes_on", "keep"],
                                      ("store", "saved"))
    assert escape("passes_on", 0) is None


def test_values_read_through_it_are_not_the_address():
    assert escape("only_reads", 0) is None


SHAPES = """
static void *g;
static long offset;

static void locked(struct ctx *c, void *buf)
	__must_hold(&c->lock)
{
	c->open = '{';
	g = buf;
}

static __attribute__((noinline)) void unused(void *buf __maybe_unused)
{
	static void *last;

	last = flag ? buf : NULL;
}

static void shadow(const u8 *buf)
{
	const u8 *g;

	g = buf;
	offset = buf - base;
}

#ifndef CONFIG_X
static int pick(void)
{
	return 0;
}
#else
static int pick(void)
{
	return smp_processor_id();
}
#endif
"""


def shapes():
    return callees.Definitions(Sources({"s.c": SHAPES}))


def test_attributes_and_literals_do_not_hide_a_definition():
    defs = shapes()
    [(params, body)] = defs.definitions("s.c", "locked")
    assert params == ["c", "buf"] and "g = buf" in body
    assert callees.escape(defs, "s.c", "locked", 1) == \
        (["locked"], ("store", "g"))
    [(params, _body)] = defs.definitions("s.c", "unused")
    assert params == ["buf"]


def test_a_static_local_outlives_the_call():
    # Through either arm of a ?:.
    assert callees.escape(shapes(), "s.c", "unused", 0) == \
        (["unused"], ("store", "last"))


def test_a_local_hides_a_global_and_a_difference_is_a_number():
    assert callees.escape(shapes(), "s.c", "shadow", 0) is None


def test_every_definition_is_read():
    assert callees.first_reliance(shapes(), "s.c", "pick", dependency) == \
        (["pick"], "smp_processor_id", "preempt")


MACROS = """
static void *saved;

#define CPU_SLOT(t) \\
	((t)->base + smp_processor_id())
#define KEEP(b) (saved = (b))

static void keeps(void *buf)
{
	KEEP(buf);
}
"""


def test_a_function_like_macro_is_read():
    defs = callees.Definitions(Sources({"m.c": MACROS}))
    assert callees.first_reliance(defs, "m.c", "CPU_SLOT", dependency) == \
        (["CPU_SLOT"], "smp_processor_id", "preempt")
    assert callees.escape(defs, "m.c", "keeps", 0) == \
        (["keeps", "KEEP"], ("store", "saved"))


POINTERS = """
static void (*file_hook)(void *);

static void fire(struct trigger *t, char *data)
{
	t->fire(t, data);
}

static int walk(struct ops *ops, int (*visit)(char *), char *buf)
{
	int (*check)(char *) = ops->check;

	return visit(buf) + check(buf) + (*ops->alt)(buf) +
	       INDIRECT_CALL_1(ops->sum, csum_fn, buf, 4) + strlen(buf);
}

static void hook(char *data)
{
	file_hook(data);
}

static void outer(struct trigger *t, char *data)
{
	memset(data, 0, 4);
	fire(t, data);
}

static void plain(char *data)
{
	memset(data, 0, 4);
}
"""


def test_calls_through_a_pointer_in_a_body():
    defs = callees.Definitions(Sources({"p.c": POINTERS}))
    [(params, body)] = defs.definitions("p.c", "walk")
    found = callees.pointer_calls_in(body, defs.pointer_names("p.c", params,
                                                              body))
    assert sorted({p for p, _args in found}) == [
        "check", "ops->alt", "ops->sum", "visit"]
    assert dict(found)["ops->sum"] == ["buf", " 4"]


def test_first_call_through_a_pointer_two_calls_deep():
    defs = callees.Definitions(Sources({"p.c": POINTERS}))
    assert callees.first_pointer_call(defs, "p.c", "fire") == (
        ["fire"], "t->fire")
    assert callees.first_pointer_call(defs, "p.c", "outer") == (
        ["outer", "fire"], "t->fire")
    assert callees.first_pointer_call(defs, "p.c", "hook") == (
        ["hook"], "file_hook")
    assert callees.first_pointer_call(defs, "p.c", "plain") is None


def test_an_address_given_to_a_pointer_call_escapes_the_helper():
    defs = callees.Definitions(Sources({"p.c": POINTERS}))
    assert callees.escape(defs, "p.c", "outer", 1) == (
        ["outer", "fire"], ("pointer", "t->fire"))
    assert callees.escape(defs, "p.c", "plain", 0) is None


RETURNS = """
static char *skip(char *p, int n)
{
	char *q = p + n;

	return q;
}

static int length(char *p)
{
	return strlen(p);
}

static void *second(int flags, void *buf)
{
	if (flags)
		return NULL;
	return (void *)buf + 4;
}
"""


def test_parameters_a_function_returns_a_pointer_into():
    defs = callees.Definitions(Sources({"r.c": RETURNS}))
    assert callees.returned_parameters(defs, "r.c", "skip") == {0}
    assert callees.returned_parameters(defs, "r.c", "length") == set()
    assert callees.returned_parameters(defs, "r.c", "second") == {1}
    assert callees.returned_parameters(defs, "r.c", "elsewhere") == set()


@pytest.mark.parametrize("rhs,base", [
    ("skip(kaddr, 16)", "kaddr"),
    ("(struct hdr *)skip(kaddr, 16)", "kaddr"),
    ("second(0, kaddr + off)", "kaddr"),
    ("length(kaddr)", None),
    ("strchr(kaddr, ':')", "kaddr"),
    ("PTR_ALIGN(kaddr, 8)", "kaddr"),
    ("crc32(0, kaddr, 8)", None),           # a value computed from it
    ("skip(other, 16)", None),
])
def test_a_call_returning_a_pointer_into_the_address_is_built_on_it(rhs,
                                                                    base):
    defs = callees.Definitions(Sources({"r.c": RETURNS}))
    assert facts.returned_base(defs, "r.c", rhs, {"kaddr"}) == base


def test_a_macro_parameter_called_is_not_a_pointer():
    """What a macro's user passes is a function's name, or pasted."""
    defs = callees.Definitions(Sources({"m.c": """
#define LOG(level, fmt, ...) pr_ ## level(fmt, ##__VA_ARGS__)
#define APPLY(fn, x) fn(x)
#define FIRE(t, x) (t)->fire(x)
"""}))
    assert callees.first_pointer_call(defs, "m.c", "LOG") is None
    assert callees.first_pointer_call(defs, "m.c", "APPLY") is None
    assert callees.first_pointer_call(defs, "m.c", "FIRE") == (
        ["FIRE"], "(...)->fire")


VARIABLES = """\
static int register_cb(int (*cb)(void));
static void (*hook)(void *);
static int limit = 4;
static const struct ops table = { .read = read_block, .cb = NULL };
enum { FIRST = 1, NEXT };

static int f(struct ops *ops, char *buf)
{
	work_fn_t fn;
	int (*local)(char *) = ops->check;

	fn = ops->work;
	if (limit == 3)
		return read_block(buf) + local(buf);
	return (*ops->alt)(buf);
}

static int g(char *buf)
{
	return read_block(buf);
}
"""


def test_variables_are_those_declared_or_assigned_where_it_runs():
    defs = callees.Definitions(Sources({"v.c": VARIABLES}))
    found = {fn: defs.variables("v.c", fn) for fn in ("f", "g")}
    # The file's: a function-pointer variable, initialized ones, an enum
    # constant; not a prototype's parameter, an initializer's member,
    # a function given as a value or a comparison.
    shared = {"hook", "limit", "table", "FIRST"}
    assert found["f"] == shared | {"fn", "local"}
    assert found["g"] == shared
    for name in ("cb", "read", "read_block", "alt"):
        assert all(name not in names for names in found.values())
