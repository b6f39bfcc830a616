# SPDX-License-Identifier: GPL-2.0-only
"""The header function bodies kmap-audit leaves out of its parse
(analysis/src/header_bodies.c): which are left out (--plan-bodies), and
that the findings are those of a parse with every body (--all-bodies),
also when a body left out turns out to be needed."""

import os
import subprocess
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
BIN = TOP / "analysis" / "build" / "kmap-audit"
HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
MOCK_INCLUDE = HERE / "include"

LIB_H = """\
#ifndef LIB_H
#define LIB_H
#include "lib_extra.h"

static inline int unused_helper(int x)
{
	return x + 1;
}

static inline void *pass_through(void *p)
{
	return p;
}

static inline int chain_end(void)
{
	return 3;
}
#define CALL_CHAIN() chain_end()

#define GET(x) get_##x()
static inline int get_alpha(void) { return 1; }
static inline int other_alpha(void) { return 2; }

static inline int conditional(void)
{
#ifdef CONFIG_X
	return 1;
#endif
	return 0;
}

static inline int for_getters(void) { return 5; }
#define DEFINE_GETTER(n) \\
	static inline int n##_get(void) { return for_getters(); }
DEFINE_GETTER(foo)

static inline __attribute__((unused)) int attributed(void) { return 7; }
static inline int locked(int *l) __attribute__((unused)) { return *l; }
static const char *const names[] = { "{", "}" };
static inline int after_literals(void) { return '}'; }
#endif
"""

LIB_EXTRA_H = """\
static inline int extra_unused(void) { return 9; }
static inline int extra_used(void) { return 10; }
"""

MAIN_C = """\
#include <lib.h>

int f(void)
{
	return CALL_CHAIN() + GET(alpha) + extra_used() +
	       *(int *)pass_through(0);
}
"""


@pytest.fixture(scope="module", autouse=True)
def built():
    subprocess.run(["make", "-s", "analysis"], cwd=TOP, check=True)


def write(root, files):
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def audit(*args, env=None):
    return subprocess.run([str(BIN)] + [str(a) for a in args],
                          capture_output=True, text=True,
                          env=dict(os.environ, **(env or {})))


def plan(root, main, *flags):
    got = audit("--plan-bodies", root / main, "--", *flags)
    assert got.returncode == 0, got.stderr
    return got.stdout.splitlines()


def test_plan_leaves_out_what_no_name_reaches(tmp_path):
    write(tmp_path, {"include/lib.h": LIB_H,
                     "include/lib_extra.h": LIB_EXTRA_H,
                     "main.c": MAIN_C})
    lines = plan(tmp_path, "main.c", "-I%s" % (tmp_path / "include"))
    left_out = {l.split(": ", 1)[1] for l in lines}
    # Reached: called by f() (pass_through, extra_used), through a macro
    # (chain_end), pasted by a macro f() uses (get_alpha), by what a
    # macro invoked at file scope defines (for_getters); a body with a
    # directive inside is kept whole (conditional).
    assert left_out == {"unused_helper", "other_alpha", "attributed",
                        "locked", "after_literals", "extra_unused"}
    # Each named by its header and the line its body starts on.
    assert "%s:1: extra_unused" % (tmp_path / "include" / "lib_extra.h") \
        in lines
    assert any(l.endswith("lib.h:6: unused_helper") for l in lines)


def test_quoted_include_is_looked_for_beside_its_includer_first(tmp_path):
    write(tmp_path, {"a/x.h": "static inline int near(void) { return 1; }\n",
                     "b/x.h": "static inline int far(void) { return 2; }\n",
                     "a/top.h": '#include "x.h"\n',
                     "main.c": "#include <top.h>\nint f(void);\n"})
    lines = plan(tmp_path, "main.c", "-I%s" % (tmp_path / "b"),
                 "-I%s" % (tmp_path / "a"))
    assert [l.split(": ", 1)[1] for l in lines] == ["near"]


def test_a_macro_pasting_at_the_end_reaches_names_ending_so(tmp_path):
    write(tmp_path, {"h.h": "#define OP(x) x##_op()\n"
                            "static inline int add_op(void) { return 1; }\n"
                            "static inline int add_op_not(void) "
                            "{ return 2; }\n",
                     "main.c": '#include "h.h"\nint f(void) '
                               "{ return OP(add); }\n"})
    lines = plan(tmp_path, "main.c")
    assert [l.split(": ", 1)[1] for l in lines] == ["add_op_not"]


FLAGS_H = """\
#define POLICY_CHECK(p) ({ checked(p); })
static inline int checked(int p) { return p; }
static inline int base_one(void) { return 1; }
static inline int unrelated(void) { return 2; }
#define FLAG(name, policy) \\
	static inline int Flag##name(int v) \\
	{ return policy(v) + base_##name(); }
FLAG(one, POLICY_CHECK)
#define DECL(sym) extern int decl_##sym(void);
DECL(x)
static inline int decl_y(void) { return 0; }
"""


def test_what_a_macro_invoked_at_file_scope_defines_is_code(tmp_path):
    # FLAG() defines Flagone(): the macro passed to it and what its
    # body pastes (base_ ## name) are reached; what DECL() pastes outside
    # any body only declares, and reaches nothing (decl_y).
    write(tmp_path, {"flags.h": FLAGS_H,
                     "main.c": '#include "flags.h"\nint g(void) '
                               "{ return Flagone(1); }\n"})
    lines = plan(tmp_path, "main.c")
    assert sorted(l.split(": ", 1)[1] for l in lines) == [
        "decl_y", "unrelated"]


def test_a_body_left_out_that_the_audit_needs_is_parsed_again(tmp_path):
    # The macro calling put_addr() comes from a header included under a
    # computed name, which the plan cannot follow: put_addr()'s body is
    # left out, and the audit, which must see that it unmaps, parses the
    # file again with every body.
    write(tmp_path, {
        "include/keep.h": "static inline void put_addr(void *p)\n"
                          "{\n\tkunmap_local(p);\n}\n",
        "hdr/put.h": "#define PUT(p) put_addr(p)\n",
        "main.c": "#include <linux/highmem.h>\n#include \"keep.h\"\n"
                  "#define PUT_HDR \"put.h\"\n#include PUT_HDR\n\n"
                  "int put_twice(struct page *page)\n{\n"
                  "\tchar *a = kmap_local_page(page);\n\tint r = a[0];\n\n"
                  "\tPUT(a);\n\tkunmap_local(a);\n\treturn r;\n}\n"})
    flags = ["-I%s" % MOCK_INCLUDE, "-I%s" % (tmp_path / "include"),
             "-I%s" % (tmp_path / "hdr"), "-std=gnu11"]
    assert any(l.endswith(": put_addr")
               for l in plan(tmp_path, "main.c", *flags))
    every = audit("--all-bodies", tmp_path / "main.c", "--", *flags)
    lazy = audit(tmp_path / "main.c", "--", *flags,
                 env={"KMAP_AUDIT_VERBOSE": "1"})
    assert "[kmap-double-unmap]" in every.stdout
    assert (lazy.returncode, lazy.stdout) == (every.returncode,
                                               every.stdout)
    assert "the body of put_addr is needed" in lazy.stderr
    assert "1 file(s) parsed again with every body" in lazy.stderr


def test_an_error_sends_the_file_to_a_parse_with_every_body(tmp_path):
    write(tmp_path, {"h.h": "static inline int broken(void) "
                            "{ return undeclared; }\n",
                     "main.c": '#include "h.h"\nint f(void) '
                               "{ return missing; }\n"})
    every = audit("--all-bodies", "--format", "json",
                  tmp_path / "main.c")
    lazy = audit("--format", "json", tmp_path / "main.c",
                 env={"KMAP_AUDIT_VERBOSE": "1"})
    # Both errors are counted, the one in the body too.
    assert '2 errors' in every.stdout
    assert (lazy.returncode, lazy.stdout) == (every.returncode,
                                               every.stdout)
    assert "parsing again with every header body" in lazy.stderr


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.glob("*.c")))
def test_golden_cases_find_the_same_with_every_body(case):
    flags = ["--format", "json", CASES / case, "--", "-I%s" % MOCK_INCLUDE,
             "-std=gnu11"]
    every = audit("--all-bodies", *flags)
    lazy = audit(*flags)
    assert (lazy.returncode, lazy.stdout) == (every.returncode,
                                               every.stdout)
