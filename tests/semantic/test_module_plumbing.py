# SPDX-License-Identifier: GPL-2.0-only
"""The semantic patch module's C-text helpers, how patch stages find
their calls again, what scripts bind, and the results cache keyed on the
module."""

import shutil
import types

import pytest

from kmap_local import cargs, ctext, hooks, plan
from kmap_local.rewrite import CallAt, CallKey, Rewrites, rank_key
from kmapconv import cache
from modulelib import FakeCocci, Function, new_session
from testlib import REPO, cannot_run


@pytest.mark.parametrize("expr, base", [
    ("x", "x"),
    ("(char *)x", "x"),
    ("x + off", "x"),
    ("(struct foo *)(x + off)", "x"),
    ("&x[i]", "x"),
    ("&x->f", "x"),
    ("kmap(page) + off", "kmap"),
    ("x[i]", None),
    ("*x", None),
    ("f(x)", None),
    ("x->f", None),
])
def test_the_variable_a_pointer_is_built_on(expr, base):
    assert ctext.ptr_base(expr) == base


def test_texts_as_messages_and_shapes_show_them():
    assert ctext.tidy("( void * ) p -> f [ i ]") == "(void *) p->f[i]"
    assert ctext.shape("ibh -> b_page") == "ROOT->b_page"
    assert ctext.page_alias("*pp = page") == "page"
    assert cargs.split_top("a, f(b, c), d[1, 2]") == ["a", " f(b, c)",
                                                       " d[1, 2]"]
    assert ctext.ternary("a<b?a:b") == ("a<b", "a", "b")
    assert ctext.var_offset("x + 4", "x") == "4"
    assert ctext.var_offset("y + 4", "x") is None
    assert ctext.map_offset("kmap(page) + off") == "off"
    assert ctext.lhs_kind("*out") == "through a pointer"
    assert ctext.lhs_kind("s->addr") == "structure field"
    assert ctext.names_variable("pt->v", {"v"}) is False
    assert ctext.is_lvalue_in("st->p", "kunmap_atomic(st->p)")


def test_a_call_is_found_again_by_its_rank_among_equal_calls():
    calls = [CallAt("f", "page", (3, 4)), CallAt("f", "page", (9, 1)),
             CallAt("f", "other", (5, 1)), CallAt("g", "page", (1, 1))]
    assert rank_key("f", "page", (9, 1), calls) == CallKey("f", "page", 1)
    assert rank_key("f", "page", (7, 7), calls).rank == -1
    rw = Rewrites()
    rw.reset("maps")
    rw.collect("maps", "f", " page ", (12, 0))
    rw.collect("maps", "f", "page", (2, 0))
    rw.collect("maps", "f", "page", (2, 0))     # a constraint asked twice
    assert rw.key("maps", "f", "page", (12, 0)) == CallKey("f", "page", 1)
    assert not rw.any_of("renamed_maps")


def test_scripts_bind_what_is_picked_or_drop_the_match():
    session = hooks.setup(FakeCocci())

    class Outputs:
        pass

    out = Outputs()
    hooks.bind(out, {"V": ("ident", "kaddr"), "A": ("expr", "x + 1")})
    assert (out.V, out.A) == (("ident", "kaddr"), ("expr", "x + 1"))
    hooks.bind(out, None)
    assert session.cocci.dropped == 1


def test_a_stage_without_planned_edits_drops_its_rules():
    s = new_session()
    s.rename_stage()
    assert s.cocci.dropped == 1
    s.rw.renamed_maps.add(CallKey("f", "page", 0))
    s.rename_stage()
    assert s.cocci.dropped == 1 and s.rw.current == {"maps": [],
                                                      "unmaps": []}


def test_the_report_line_is_what_make_coccicheck_prints(tmp_path):
    fn = Function(tmp_path, "f", "void f(struct page *page)\n{\n"
                  "\tqueue_work(wq, kmap(page));\n}")
    s = new_session()
    p = fn.at("kmap(page)")
    s.site(p, "kmap", "page")
    s.argument(p, "queue_work")
    s.decide()
    rec = s.out[0]
    assert sorted(rec) == ["action", "address", "api", "class", "column",
                           "file", "function", "line", "page", "reasons",
                           "unmaps"]
    assert hooks.report_line(rec) == (
        "%s:3:17: kmap() site is cross-thread: address passed to "
        "queue_work() (line 3)" % fn.path)


def advised_site(reasons, api="kmap"):
    """A site as plan.suggestion_for() reads one: its API and reasons."""
    return types.SimpleNamespace(api=api, reasons=reasons)


def test_every_reason_gets_its_advice_the_most_pressing_first():
    site = advised_site(["mapped in the loop at line 3 without an unmap",
                         "map/unmap split across functions: x"])
    advice = plan.suggestion_for(site)
    assert advice.startswith("the mapping is released outside")
    assert ". Also: unmap in the same iteration" in advice
    site.reasons = ["something new"]
    assert plan.suggestion_for(site) == "review by hand"
    assert plan.suggestion_for(site, "given") == "given"


def test_advice_for_one_reason_does_not_hide_another():
    # Advice for the alias alone would have a maintainer convert a loop
    # of maps that overflows the mapping stack.
    site = advised_site([
        "unmapped through an alias: kunmap(pg) at line 9, pg = pages[i] at "
        "line 8; the script does not pair them",
        "mapped in the loop at line 4 without an unmap in the same "
        "iteration: the mapping stack grows (KM_MAX_IDX)"])
    advice = plan.suggestion_for(site)
    assert advice.startswith("convert by hand: pair each map")
    assert advice.endswith("local mappings are limited to KM_MAX_IDX")


@pytest.mark.parametrize("reason,start", [
    # "through a function pointer" is inside the longer key too.
    ("the address is given to a call through a function pointer, "
     "tr->readsect at line 69: whether the callee keeps it in this thread "
     "is not known",
     "read every function the pointer can name: if one, or anything it "
     "calls, hands"),
    # An iterator set up over the address and handed on by assignment:
    # the advice is to follow it to what consumes it, not to read a
    # callee the record does not name.
    ("address stored in iov.iov_base (line 5), which iov_iter_kvec() puts "
     "in msg_iter (line 7); where msg_iter goes from there is not "
     "followed: not shown to stay in this thread",
     "follow the iterator to the function that consumes it"),
    # A page and an offset from the caller: whether the offset stays in
    # the page is the callers' to show.
    ("kmap() maps page, which the caller gives, and csum_partial() at "
     "line 5 is given kaddr + offset, at an offset the caller gives "
     "(offset): nothing here keeps it within the page, and a caller may "
     "give a compound page with an offset past its first page; kmap() of "
     "a lowmem page reaches the pages after it",
     "read the callers: if every one gives an offset within the page")])
def test_a_reason_is_advised_once_by_the_first_key_it_holds(reason, start):
    advice = plan.suggestion_for(advised_site([reason]))
    assert advice.startswith(start)
    assert "Also" not in advice


def test_the_advice_keeps_the_call_the_site_makes():
    """A kmap_atomic() site is never told to keep kmap(), and a pair of
    helpers it makes is converted only with its callers' reliance on the
    implicit disables in mind."""
    site = advised_site(["map/unmap split across helper functions: x"])
    advice = plan.suggestion_for(site)
    assert "keep kmap()" in advice and "pagefaults" not in advice
    site.api = "kmap_atomic"
    advice = plan.suggestion_for(site)
    assert "keep kmap()" not in advice and "keep kmap_atomic()" in advice
    assert advice.endswith("needs the explicit disables added with the "
                           "map and its unmap")
    # A map whose unmap is in another function: the code between them
    # ran with pagefaults and preemption off too (a map function may
    # even promise its callers that it returns with them disabled).
    site.reasons = ["map/unmap split across functions: no kunmap_atomic() "
                    "of this address in f()"]
    advice = plan.suggestion_for(site)
    assert "keeping their order strictly LIFO; between the map and its " \
        "unmap a kmap_atomic() pair also keeps pagefaults and preemption " \
        "disabled" in advice
    assert advice.endswith("; otherwise keep the current mapping call")
    site.api = "kmap"
    assert "pagefaults" not in plan.suggestion_for(site)
    site.api = "kmap_atomic"
    site.reasons = ["mapped in the loop at line 3 without an unmap"]
    assert plan.suggestion_for(site).endswith(
        "or keep kmap_atomic(): local mappings are limited to KM_MAX_IDX")


def test_zeroing_takes_three_arguments_of_the_helper():
    assert plan.helper_args("zero", "x", "page", "x + 8", "0", "len")[:3] \
        == ("page", "8", "len")
    assert plan.helper_args("from", "x", "page", "buf", "x", "len") == \
        ("buf", "page", "0", "len")
    assert plan.helper_args("to", "x", "page", "x+off", "buf", "n") == \
        ("page", "off", "buf", "n")


def test_the_results_cache_is_keyed_on_the_module(tmp_path):
    if not shutil.which("spatch"):
        cannot_run("spatch (Debian package coccinelle) is missing")
    copy = tmp_path / "semantic-patches"
    shutil.copytree(REPO / "semantic-patches", copy,
                    ignore=shutil.ignore_patterns("__pycache__"))
    cocci = copy / "kmap_local.cocci"
    files = [str(p.relative_to(copy)) for p in
             map(type(copy), cache.rule_files(str(cocci)))]
    assert "kmap_local/classify.py" in files and "kmap_local.cocci" in files
    argv = ["spatch", "--sp-file", str(cocci)]
    before = cache.ruleset_id(argv)
    module = copy / "kmap_local" / "plan.py"
    module.write_text(module.read_text() + "\n")
    assert cache.ruleset_id(argv) != before


@pytest.mark.parametrize("line, declaration", [
    ("\tint x;", True),
    ("\tstruct page *page = NULL, *other;", True),
    ("\tconst unsigned char buf[16];", True),
    ("\tunsigned long flags;", True),
    ("\tkmap(pg);", False),
    ("\treturn x;", False),
    ("\tx = y;", False),
    ("\t*p = 0;", False),
    ("\tgoto out;", False),
    ("", False),
])
def test_a_body_starting_with_a_declaration_is_told(line, declaration):
    assert hooks.starts_declaration(line) is declaration


@pytest.mark.parametrize("lines, declarations", [
    (["\tINITIALIZE_PATH(path);", "\tstruct cpu_key key;"], True),
    (["\tDEFINE_WAIT(wait);", "\tint err;"], True),
    (["\tBUG_ON(!page);", "\tkmap(page);"], False),
    (["\tBUG_ON(!page);"], False),
    (["\tint x;"], True),
    ([], False),
])
def test_a_declaring_macro_among_the_declarations_is_told(lines,
                                                         declarations):
    # No blank line goes between the new declaration and a body that
    # starts with declarations (a macro that declares among them).
    assert hooks.declarations_first(lines) is declarations


def test_the_new_declaration_is_followed_by_a_blank_line_before_code(
        tmp_path):
    fn = Function(tmp_path, "f", "static void\nf(struct page *pg)\n{ /* { */"
                  "\n\n\tkmap(pg);\n\tuse(page_address(pg));\n"
                  "\tkunmap(pg);\n}")
    s = new_session()
    p = fn.at("kmap(pg)")
    s.site(p, "kmap", "pg")
    s.bare_map(p)
    s.decide()
    assert s.group.first_body_line(s.group.order[0]) == "\tkmap(pg);"
    assert s.pick_declaration("f", "kaddr") == {"DB": ("ident", "kaddr"),
                                                "FB": ("ident", "f")}


def test_the_new_variables_of_a_function_are_declared_once(tmp_path):
    # spatch cannot add at one brace twice: the first new variable's
    # declaration names them all, the others add none.
    fn = Function(tmp_path, "f", "static void\nf(struct page *a)\n{\n"
                  "\tchar *p;\n\n\tp = kmap(a) + 1;\n\tp++;\n"
                  "\tkunmap(a);\n}")
    s = new_session()
    p = fn.at("kmap(a)")
    s.site(p, "kmap", "a")
    s.decide()
    s.rw.new_variables = {CallKey("f", "a", 0): "kaddr",
                          CallKey("f", "b", 0): "kaddr2",
                          CallKey("g", "a", 0): "kaddr3"}
    assert s.pick_declaration("f", "kaddr2") is None
    assert s.pick_declaration("f", "kaddr") == {
        "D": ("ident", "kaddr, *kaddr2"), "F": ("ident", "f")}


@pytest.mark.parametrize("text, line, end", [
    ("for (i = 0; i < n; i++)\n\tkmap(p[i]);\nx();", 1, 2),
    ("for (i = 0; i < n; i++) {\n\tkmap(p[i]);\n}", 1, None),
    ("for (i = 0; i < n; i++) /* ; */ {\n}", 1, None),
    ("while (f(a, (b)))  // one;\n\tif (x) {\n\t\ty();\n\t}\nz();", 1, 4),
    ("list_for_each_entry(p, &l, list)\n\tg(\";\", p);", 1, 2),
])
def test_where_an_unbraced_loop_body_ends(text, line, end):
    assert ctext.statement_end(text.split("\n"), line, 1) == end


@pytest.mark.parametrize("expr, parts", [
    ("(!map->virtual) ? -ENOMEM : 0", ["-ENOMEM", "0"]),
    ("IS_ERR(p) ? p : q", ["p", "q"]),
    ("addr == NULL", []),
    ("!addr", []),
    ("a && b", []),
    ("(void *)addr + off", ["(void*)addr+off"]),
    ("x->y", ["x->y"]),
    ("a << 2", ["a<<2"]),
    ("f(a > b)", ["f(a>b)"]),
])
def test_what_a_return_hands_back(expr, parts):
    """A return that tests the address gives back a number, not it."""
    assert ctext.value_parts(expr) == parts


def test_whether_the_address_leaves_the_thread_is_advised_first():
    """Advice to convert once the entry is bounded must not come before
    the question that can demand kmap() whatever the bounds (the callee
    DMA-maps the address)."""
    site = advised_site([
        "kmap() maps sg_page(sg), the first page of a scatterlist or "
        "bio_vec entry, whose data may run past it",
        "address stored in t->rx_buf (line 6); spi_sync() is given t "
        "(line 7) and may hand it to another context: not shown to stay "
        "in this thread"])
    advice = plan.suggestion_for(site)
    assert advice.startswith("read the callee: if it, or anything it calls")
    assert ". Also: if the code bounds the entry" in advice


@pytest.mark.parametrize("text, line, callee, null_arm", [
    ("\tx = 1;\n\tv ? f(a) :\n\t\tg(a);\n", 3, "g", True),
    ("\tx = 1;\n\tv ? f(a) :\n\t\tg(a);\n", 2, "f", False),
    ("\t} else\n\t\tv ? f(a) : g(a);\n", 2, "g", True),
    ("\tx = 1;\n\tw ? f(a) : g(a);\n", 2, "g", False),     # not the address
    ("\tx = 1;\n\ty = v ? f(a) : g(a);\n", 2, "g", False),  # not understood
    ("\tx = 1;\n\tv ? g(a) : g(b);\n", 2, "g", False),      # in both arms
])
def test_a_call_made_only_when_the_address_is_null(text, line, callee,
                                                   null_arm):
    """Only "v ? a : b;" with v holding the address, and the call in b
    alone, is left out of the mapped region; anything else stays in."""
    lines = text.split("\n")
    assert ctext.in_null_arm(lines, line, callee, {"v"}) == null_arm



def test_an_offset_is_in_the_page_only_as_a_whole():
    """classify.in_page(): the whole expression is 0, offset_in_page(),
    or masked into the page; one that merely contains such a part is
    not, nor is a position masked down to its page's base."""
    from kmap_local.classify import in_page
    for good in ("0", "offset_in_page(pos)", "(pos & ~PAGE_MASK)",
                 "off & (PAGE_SIZE - 1)", "req->pos % PAGE_SIZE"):
        assert in_page(good), good
    for bad in ("pos & PAGE_MASK", "offset_in_page(pos) + 4096",
                "max(offset_in_page(pos), hdr)",
                "raw ? pos : offset_in_page(pos)", "(a + b) & ~PAGE_MASK",
                "off"):
        assert not in_page(bad), bad


@pytest.mark.parametrize("before,braceless", [
    ("\tif (ok)", True),
    ("\telse", True),
    ("\tfoo();", False),
    # A directive is not the code the statement belongs to.
    ("\tfoo();\n#else", False),
    ("\tfoo();\n#if defined(CONFIG_X)", False),
    ("\tif (ok)\n#ifdef CONFIG_X", True),
])
def test_braceless_body_looks_past_directives(before, braceless):
    lines = ("int f(void)\n{\n" + before + "\n\tx = kmap_atomic(p);\n}"
             ).split("\n")
    at = lines.index("\tx = kmap_atomic(p);") + 1
    assert ctext.braceless_body(lines, at) is braceless


@pytest.mark.parametrize("callee,args,expected", [
    ("INDIRECT_CALL_1", "ops->update, csum_partial_ext, p + off, len, 0",
     ("ops->update", "p + off, len, 0")),
    ("INDIRECT_CALL_2", "f, g2, g1, a, b(c, d)", ("f", "a, b(c, d)")),
    ("INDIRECT_CALL_INET", "f, ipv6_fn, ipv4_fn, skb", ("f", "skb")),
    ("INDIRECT_CALL_INET_1", "f, ipv4_fn, skb", ("f", "skb")),
    ("INDIRECT_CALL_3", "f, a", None),          # not the wrapper's shape
    ("memcpy", "a, b, 8", None),
])
def test_an_indirect_call_wrapper_is_a_call_through_its_pointer(
        callee, args, expected):
    assert cargs.indirect_call(callee, args) == expected
