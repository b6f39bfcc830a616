# SPDX-License-Identifier: GPL-2.0-only
"""Resolving a function-pointer parameter to the functions its callers
give (semantic-patches/kmap_local/pointers.py): only when every use of
the function in its file is a direct call that can be read."""

from kmap_local import pointers

BASE = """
static int one(void *p) { return 0; }
static int two(void *p) { return 1; }

static int walk(struct page *page, int (*fn)(void *));

static int walk(struct page *page, int (*fn)(void *))
{
	return fn(page);
}
"""


def resolve(extra, others=None, function="walk", param="fn"):
    texts = {"f.c": BASE + extra}
    texts.update(others or {})
    return pointers.targets(texts, "f.c", function, param)


def test_direct_calls_with_function_names():
    assert resolve("""
int user(struct page *page)
{
	return walk(page, one) + walk(page, (two)) + walk(page, &one) +
	       walk(page, NULL);
}
""") == ["one", "two"]


def test_a_parameter_passed_on_is_followed_through_static_callers():
    assert resolve("""
static int via(struct page *page, int (*how)(void *))
{
	return walk(page, how);
}

int user(struct page *page)
{
	return via(page, two);
}
""") == ["two"]
    # a caller that is not static may have callers elsewhere
    assert resolve("""
int via(struct page *page, int (*how)(void *))
{
	return walk(page, how);
}
""") is None


def test_what_cannot_be_read_leaves_it_unresolved():
    cases = [
        # the address taken, in an initializer or a statement
        "static const struct ops o = { .walk = walk };",
        "void set(struct ops *o) { o->walk = walk; }",
        # an argument that is not a function's name
        "int user(struct x *x) { return walk(x->page, x->fn); }",
        "int user(struct page *p) { return walk(p, (void *)one); }",
        # a function this file does not define
        "int user(struct page *p) { return walk(p, elsewhere); }",
        # a use in a macro
        "#define WALK(p) walk(p, one)\n",
        # a member of that name: not a call of the function (its address
        # is taken somewhere); a call that cannot be matched to the
        # parameters
        "int user(struct x *x) { return x->walk(x->page, one); }",
        "int user(struct page *p) { return walk(p); }",
    ]
    for extra in cases:
        assert resolve(extra) is None, extra


def test_other_files_of_the_translation_unit():
    user = "int user(struct page *p) { return walk(p, one); }"
    assert resolve(user) == ["one"]
    # another file includes this one: it can call walk() too
    assert resolve(user, {"g.c": '#include "f.c"\n'}) is None
    # this one includes a .c file, which can call walk()
    assert resolve('#include "selftest.c"\n' + user) is None


def test_a_parameter_changed_in_the_function_or_not_static():
    changed = BASE.replace("return fn(page);", "fn = two;\n\treturn fn(page);")
    texts = {"f.c": changed + "int u(struct page *p) { return walk(p, one); }"}
    assert pointers.targets(texts, "f.c", "walk", "fn") is None
    open_ = BASE.replace("static int walk", "int walk")
    texts = {"f.c": open_ + "int u(struct page *p) { return walk(p, one); }"}
    assert pointers.targets(texts, "f.c", "walk", "fn") is None


def test_env_value_round_trip():
    resolved = {("net/x/a.c", "walk", "fn"): ["one", "two"],
                ("net/x/b-c.c", "go", "op"): ["three"]}
    value = pointers.env_value(resolved)
    assert value == "net/x/a.c:walk:fn=one+two,net/x/b-c.c:go:op=three"
    assert pointers.of_env(value) == resolved
    assert pointers.files_of_env(value) == {"net/x/a.c", "net/x/b-c.c"}
    assert pointers.of_env("") == {}

