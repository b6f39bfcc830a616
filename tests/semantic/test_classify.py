# SPDX-License-Identifier: GPL-2.0-only
"""The classification rules of the semantic patch's module, fed facts as
its SmPL rules record them (no spatch): which class a site gets, with
which evidence, and what the plan makes of it."""

import json

import pytest

from kmap_local import classify, hooks, plan
from modulelib import Function, decide, new_session

ATOMIC_COPY = """int f(struct page *page, char *buf)
{
	char *x;

	x = kmap_atomic(page);
	memcpy(buf, x, 8);
	kunmap_atomic(x);
	return 0;
}"""


def atomic_copy(tmp_path, extra_call=None, deny=None):
    fn = Function(tmp_path, "f", ATOMIC_COPY)
    s = new_session(deny)
    p = fn.at("kmap_atomic(page)")
    s.site(p, "kmap_atomic", "page")
    s.binding(p, "x", "kmap_atomic(page)")
    s.assigned_map(p, "x")
    s.call(fn.at("memcpy("), "memcpy", "buf, x, 8")
    if extra_call:
        s.call(fn.at("memcpy("), extra_call, "buf, x, 8")
    s.unmap(fn.at("kunmap_atomic(x)"), "kunmap_atomic", "x")
    return s, decide(s)[(5, "kmap_atomic")]


def test_mapped_and_unmapped_locally_is_thread_local(tmp_path):
    _, rec = atomic_copy(tmp_path)
    assert rec["class"] == "thread-local"
    assert rec["reasons"] == ["mapped and unmapped in f() (unmap at line 7);"
                              " address used only locally"]
    assert rec["action"] == "rewritten"
    assert rec["rewrite"] == ["kmap_atomic() -> kmap_local_page()",
                              "kunmap_atomic(x) -> kunmap_local(x) at line 7"]
    assert rec["address"] == "x" and rec["unmaps"] == [7]


def test_user_copy_in_an_atomic_region_gets_an_explicit_guard(tmp_path):
    s, rec = atomic_copy(tmp_path, extra_call="copy_from_user")
    assert rec["class"] == "nesting-sensitive"
    assert rec["reasons"][0] == ("relies on the implicit pagefault_disable() "
                                 "of kmap_atomic(): copy_from_user() at "
                                 "line 6")
    assert rec["action"] == "rewritten"
    assert rec["rewrite"][-1].startswith(
        "explicit pagefault_disable()/pagefault_enable() around")
    assert set(s.rw.guards.values()) == {"pagefault"}


def test_an_iterator_copy_may_rely_on_the_pagefault_disable(tmp_path):
    """Whether copy_to_iter() faults depends on the iterator's kind, which
    the call does not show: the guard is added, the reason says "may"."""
    s, rec = atomic_copy(tmp_path, extra_call="copy_to_iter")
    assert rec["reasons"][0] == (
        "may rely on the implicit pagefault_disable() of kmap_atomic(): "
        "copy_to_iter() at line 6 copies through an iov_iter: a user-backed "
        "one (ITER_UBUF, ITER_IOVEC) can fault, a kernel one (kvec, bvec, "
        "pipe) cannot")
    assert rec["action"] == "rewritten"
    assert set(s.rw.guards.values()) == {"pagefault"}


def test_callee_that_says_it_runs_atomic_is_left_to_a_human(tmp_path):
    _, rec = atomic_copy(tmp_path, extra_call="foo_atomic")
    assert rec["class"] == "nesting-sensitive"
    assert "says by its name that it runs atomic" in rec["reasons"][0]
    assert rec["action"] == "manual"
    assert rec["suggestion"].startswith("keep kmap_atomic() unless")


def test_a_function_the_audit_flagged_stays_manual(tmp_path):
    fn_key = (str(tmp_path / "f.c"), "f")
    _, rec = atomic_copy(tmp_path,
                         deny={fn_key: plan.Denial("use after unmap")})
    assert rec["action"] == "manual"
    assert rec["suggestion"] == ("kmap-audit flags the rewritten f(): use "
                                 "after unmap; convert it by hand")
    assert rec["reasons"][-1] == ("kmap-audit on the rewritten f(): use "
                                  "after unmap")


def test_denials_are_read_from_the_json_lines_file(tmp_path):
    deny = tmp_path / "deny.jsonl"
    deny.write_text(json.dumps({"file": "a.c", "function": "g",
                                "reason": "leak"}) + "\n\n" + json.dumps(
        {"file": "a.c", "function": "h", "reason": "leak at line 9",
         "scope": "unproven", "suggestion": "read it", "lines": [4]}) + "\n"
        + json.dumps({"file": "a.c", "function": "h", "scope": "paths",
                      "lines": [7], "verdict": "refuted",
                      "detail": "leak at line 9: still live"}) + "\n")
    assert hooks.read_audit_word(str(deny)) == ({
        ("a.c", "g"): plan.Denial("leak"),
        ("a.c", "h"): plan.Denial("leak at line 9", plan.UNPROVEN,
                                  "read it", (4,))}, {
        ("a.c", "h", 7): classify.PathVerdict(
            "refuted", "leak at line 9: still live")})
    assert hooks.read_audit_word(None) == ({}, {})


def leaky_copy(tmp_path, prove, deny=None):
    """atomic_copy with a path to a return (line 6) the script cannot
    show unmapped."""
    fn = Function(tmp_path, "f", ATOMIC_COPY)
    s = new_session(deny)
    s.prove = prove
    p = fn.at("kmap_atomic(page)")
    s.site(p, "kmap_atomic", "page")
    s.binding(p, "x", "kmap_atomic(page)")
    s.assigned_map(p, "x")
    s.unmap(fn.at("kunmap_atomic(x)"), "kunmap_atomic", "x")
    s.prepare()
    s.leak(p, fn.at("memcpy("))
    return decide(s)[(5, "kmap_atomic")]


UNSEEN = ("the path returning at line 6 may leave it mapped: no unmap on "
          "it that this script sees")


def test_a_path_the_script_cannot_follow_is_manual_alone(tmp_path):
    rec = leaky_copy(tmp_path, prove=False)
    assert rec["class"] == "nesting-sensitive"
    assert rec["reasons"] == [UNSEEN]
    assert rec["action"] == "manual"
    assert "unproven" not in rec
    assert "make convert's audit" in rec["suggestion"]


def test_with_the_audit_to_judge_it_the_path_is_left_to_prove(tmp_path):
    rec = leaky_copy(tmp_path, prove=True)
    assert rec["class"] == "thread-local"
    assert rec["action"] == "rewritten"
    assert rec["unproven"] == [UNSEEN]
    assert UNSEEN not in rec["reasons"]


def test_the_audit_refuting_the_path_gives_its_finding_as_reason(tmp_path):
    fn_key = (str(tmp_path / "f.c"), "f")
    rec = leaky_copy(tmp_path, prove=True, deny={fn_key: plan.Denial(
        "leak at line 6 of the rewritten file: still live", plan.UNPROVEN,
        "read the path", (5,))})
    assert rec["action"] == "manual"
    assert rec["class"] == "nesting-sensitive"
    assert rec["reasons"] == [
        "kmap-audit on the candidate rewrite of f(): leak at line 6 of the "
        "rewritten file: still live"]
    assert rec["suggestion"] == "read the path"
    assert "unproven" not in rec


def test_a_denial_names_the_candidates_it_refutes(tmp_path):
    """A candidate that was not rewritten in the run the audit judged
    (another site's rewrite was refuted) keeps the script's own words."""
    fn_key = (str(tmp_path / "f.c"), "f")
    rec = leaky_copy(tmp_path, prove=True, deny={fn_key: plan.Denial(
        "leak at line 9", plan.UNPROVEN, "read the path", (9,))})
    assert rec["action"] == "manual"
    assert rec["reasons"] == [UNSEEN]
    assert "make convert's audit" in rec["suggestion"]


def test_a_denial_of_the_unproven_paths_spares_proved_sites(tmp_path):
    fn_key = (str(tmp_path / "f.c"), "f")
    _, rec = atomic_copy(tmp_path, deny={fn_key: plan.Denial(
        "leak", plan.UNPROVEN)})
    assert rec["action"] == "rewritten"


def leaky_atomic_copy(tmp_path, verdict=None):
    """leaky_copy() with a copy_from_user() in the region as well, which
    a rewrite cannot fix here: manual whatever the paths; verdict:
    kmap-audit's word on them."""
    fn = Function(tmp_path, "f", ATOMIC_COPY)
    s = new_session()
    s.prove = True
    if verdict:
        s.verdicts = {(str(tmp_path / "f.c"), "f", 5): verdict}
    p = fn.at("kmap_atomic(page)")
    s.site(p, "kmap_atomic", "page")
    s.binding(p, "x", "kmap_atomic(page)")
    s.call(fn.at("memcpy("), "foo_atomic", "buf, x, 8")
    s.unmap(fn.at("kunmap_atomic(x)"), "kunmap_atomic", "x")
    s.prepare()
    s.leak(p, fn.at("memcpy("))
    return decide(s)[(5, "kmap_atomic")]


def test_paths_of_a_site_manual_for_another_reason_go_to_the_audit(
        tmp_path):
    rec = leaky_atomic_copy(tmp_path)
    assert rec["action"] == "manual"
    assert UNSEEN in rec["reasons"]
    assert rec["unfollowed"] == [UNSEEN]


@pytest.mark.parametrize("outcome,detail,kept,word", [
    ("proved", "", False,
     "kmap-audit followed every path from this map in f(), in the code as "
     "it is: each unmaps it (the script alone could not show it)"),
    ("refuted", "leak at line 6: still live", False,
     "kmap-audit finds a path that leaves it mapped in the code as it is: "
     "leak at line 6: still live"),
    ("unchecked", "it is preprocessed out", True,
     "kmap-audit could not check f() (it is preprocessed out): those "
     "paths are unproven")])
def test_the_audits_word_on_those_paths_replaces_the_guess(
        tmp_path, outcome, detail, kept, word):
    rec = leaky_atomic_copy(tmp_path, classify.PathVerdict(outcome, detail))
    assert rec["action"] == "manual"
    assert rec["class"] == "nesting-sensitive"
    assert "unfollowed" not in rec
    assert "says by its name that it runs atomic" in rec["reasons"][0]
    assert rec["reasons"][1:] == ([UNSEEN] if kept else []) + [word]




@pytest.mark.parametrize("callee, params, pointer", [
    ("memcpy", set(), False),
    ("op", {"op"}, True),
    ("(* op)", set(), True),
    ("d->actor", set(), True),
    ("ops.xfer", set(), True),
])
def test_calls_through_a_pointer(callee, params, pointer):
    assert classify.through_pointer(callee, params) is pointer


def test_a_call_through_a_pointer_in_an_atomic_region_is_manual(tmp_path):
    _, rec = atomic_copy(tmp_path, extra_call="d->actor")
    assert rec["action"] == "manual"
    assert rec["reasons"][0] == (
        "calls through a function pointer in the kmap_atomic() region: "
        "d->actor at line 6; whether the callee relies on the pagefault or "
        "preemption disable of kmap_atomic() is not known")
    assert rec["suggestion"].startswith("read every function the pointer")


def test_address_handed_to_deferred_work_is_cross_thread(tmp_path):
    fn = Function(tmp_path, "f", """void f(struct page *page)
{
	queue_work(wq, kmap(page));
}""")
    s = new_session()
    p = fn.at("kmap(page)")
    s.site(p, "kmap", "page")
    s.argument(p, "queue_work")
    rec = decide(s)[(3, "kmap")]
    assert rec["class"] == "cross-thread" and rec["action"] == "kept"
    assert rec["reasons"][0] == "address passed to queue_work() (line 3)"


def test_kmap_without_unmap_nor_helper_is_cross_thread(tmp_path):
    fn = Function(tmp_path, "get", """void *get(struct page *page)
{
	return kmap(page);
}""")
    s = new_session()
    p = fn.at("kmap(page)")
    s.site(p, "kmap", "page")
    s.returned(p, "kmap(page)")
    rec = decide(s)[(3, "kmap")]
    assert rec["class"] == "cross-thread"
    assert rec["reasons"] == [
        "mapping returned to the caller (line 3), and no unmap here nor a "
        "function in this file or its local headers that the script takes "
        "for its unmap helper: nothing shows that the mapping thread unmaps "
        "it"]


def test_a_store_through_a_local_pointer_is_not_handed_to_the_caller(
        tmp_path):
    """*p++ = kmap(...) where p is a local that points into an array kept
    in a structure: the address is stored there, not given back."""
    fn = Function(tmp_path, "start", """int start(struct dev *dev, int n)
{
	void **p = dev->ptrs;
	int i;

	for (i = 0; i < n; i++)
		*p++ = kmap(dev->pages[i]);
	return 0;
}""")
    s = new_session()
    at = fn.at("kmap(dev->pages[i])")
    s.site(at, "kmap", "dev->pages[i]")
    s.store(at, "*p++", "kmap(dev->pages[i])")
    rec = decide(s)[(7, "kmap")]
    assert rec["class"] == "cross-thread" and rec["action"] == "kept"
    assert rec["reasons"][0].startswith("address stored in *p++ (line 7)")
    assert not any("caller" in r for r in rec["reasons"])


def test_split_pair_names_the_unmap_helper(tmp_path):
    fn = Function(tmp_path, "get", """void *get(struct page *page)
{
	return kmap(page);
}
void put(struct page *pg)
{
	kunmap(pg);
}""")
    s = new_session()
    p = fn.at("kmap(page)")
    s.site(p, "kmap", "page")
    s.returned(p, "kmap(page)")
    put = [fn.at("kunmap(pg)")[0]]
    put[0].current_element = "put"
    s.parameter("put", "pg", put)
    s.unmap(put, "kunmap", "pg")
    rec = decide(s)[(3, "kmap")]
    assert rec["class"] == "nesting-sensitive"
    assert rec["reasons"][0] == (
        "map/unmap split across helper functions: mapping returned to the "
        "caller (line 3); unmapped by put() (%s:7)" % fn.path)
    # Whether a caller keeps the address past the call decides, and a
    # cache kept for other threads means kmap() stays.
    assert rec["suggestion"].startswith("read every caller of the map "
                                        "helper: if one keeps the address")
    assert "keep kmap()" in rec["suggestion"]


LIFO = """void f(struct page *a, struct page *b)
{
	char *x, *y;

	x = kmap_atomic(a);
	y = kmap_atomic(b);
	x[0] = y[0];
	kunmap_atomic(x);
	kunmap_atomic(y);
}"""


def lifo(tmp_path, body):
    fn = Function(tmp_path, "f", body)
    s = new_session()
    for var, page in (("x", "a"), ("y", "b")):
        p = fn.at("kmap_atomic(%s)" % page)
        s.site(p, "kmap_atomic", page)
        s.binding(p, var, "kmap_atomic(%s)" % page)
        s.assigned_map(p, var)
        s.unmap(fn.at("kunmap_atomic(%s)" % var), "kunmap_atomic", var)
    return s, decide(s)


def test_unmaps_out_of_order_are_swapped_when_nothing_uses_the_newer(
        tmp_path):
    s, recs = lifo(tmp_path, LIFO)
    newer = recs[(6, "kmap_atomic")]
    assert newer["class"] == "nesting-sensitive"
    assert newer["reasons"][0] == (
        "overlaps the mapping at line 5; unmaps not in reverse order (line 8 "
        "unmaps the older one before line 9 unmaps the newer)")
    assert newer["action"] == "rewritten"
    assert newer["rewrite"][-1] == ("unmaps at lines 8 and 9 swapped into "
                                    "LIFO order")
    # The older unmap now releases y and the newer x.
    assert sorted(s.rw.unmap_args.values()) == ["x", "y"]


def test_unmaps_out_of_order_with_a_use_between_are_manual(tmp_path):
    body = LIFO.replace("\tkunmap_atomic(y);",
                        "\ty[1] = 0;\n\tkunmap_atomic(y);")
    _, recs = lifo(tmp_path, body)
    for line in (5, 6):
        rec = recs[(line, "kmap_atomic")]
        assert rec["action"] == "manual"
        assert rec["suggestion"].startswith("unmap in reverse order")


def test_map_in_a_loop_without_its_unmap_grows_the_stack(tmp_path):
    fn = Function(tmp_path, "f", """void f(struct page **p, int n)
{
	int i;
	for (i = 0; i < n; i++) {
		char *x = kmap(p[i]);
		x[0] = 0;
	}
	kunmap(p[0]);
}""")
    s = new_session()
    at = fn.at("kmap(p[i])")
    s.site(at, "kmap", "p[i]")
    s.binding(at, "x", "kmap(p[i])")
    s.loop([fn.at("{", 1)[0]], [fn.at("}", 0)[0]])
    s.unmap(fn.at("kunmap(p[0])"), "kunmap", "p[0]")
    rec = decide(s)[(5, "kmap")]
    assert "mapped in the loop at line 4 without an unmap in the same " \
        "iteration" in " ".join(rec["reasons"])
    assert rec["action"] == "manual"
    assert rec["suggestion"].startswith("unmap in the same iteration")


ROLLING = """int f(struct page **p, int n)
{
	char *x = NULL;
	int i;
	for (i = 0; i < n; i++) {
		if (x)
			kunmap_atomic(x);
		x = kmap_atomic(p[i]);
		x[0] = 0;
	}
	if (x)
		kunmap_atomic(x);
	return 0;
}"""


def rolling(tmp_path, loop=True, alias=False):
    """ROLLING's site as the rules record it; alias: x also takes a
    caller's pointer before the loop (x = first)."""
    fn = Function(tmp_path, "f", ROLLING)
    s = new_session()
    at = fn.at("kmap_atomic(p[i])")
    s.site(at, "kmap_atomic", "p[i]")
    s.binding(at, "x", "kmap_atomic(p[i])")
    s.assigned_map(at, "x")
    s.local_assignment(at, "x", "kmap_atomic(p[i])")
    if alias:
        s.local_assignment(fn.at("int i;"), "x", "first")
    if loop:
        s.loop([fn.at("{", 1)[0]], [fn.at("}", 0)[0]])
    s.unmap(fn.at("kunmap_atomic(x)"), "kunmap_atomic", "x")
    s.unmap(fn.at("kunmap_atomic(x)", 1), "kunmap_atomic", "x")
    return decide(s)[(8, "kmap_atomic")]


def test_a_rolling_remap_converts_with_the_unmap_before_the_map(tmp_path):
    """The unmap at the top of the loop releases the previous pass's
    mapping: it is this map's, and becomes kunmap_local() with it."""
    rec = rolling(tmp_path)
    assert rec["action"] == "rewritten"
    assert rec["reasons"][1] == ("a rolling remap: the unmap at line 7 "
                                 "releases this map's mapping of the "
                                 "previous pass of the loop")
    assert "kunmap_atomic(x) -> kunmap_local(x) at line 7" in rec["rewrite"]


@pytest.mark.parametrize("loop,alias,reason", [
    (True, True, "rolling remap: the unmap at line 7 comes before this "
     "map in the loop at line 5: it releases an earlier pass's mapping or "
     "one made before the loop, which the script does not pair with this "
     "map"),
    (False, False, "map/unmap split across functions: the unmap at line 7 "
     "releases this address with no map of it before, in f()")])
def test_an_unmap_before_the_map_names_where_its_mapping_comes_from(
        tmp_path, loop, alias, reason):
    """Round a loop, where the address may hold another mapping on the
    first pass, it is an earlier pass's or that one; elsewhere a
    caller's."""
    rec = rolling(tmp_path, loop, alias)
    assert rec["action"] == "manual"
    assert rec["reasons"][0] == reason
    assert rec["suggestion"].startswith(
        "convert by hand: the map and every unmap" if loop else
        "the mapping is released outside this map's own path")


def leak_record(tmp_path, text, leaking_return):
    """The record of f()'s kmap_atomic(page), bound to x and unmapped
    once, when the semantic patch finds a path from it to the return
    leaking_return that runs no unmap."""
    fn = Function(tmp_path, "f", text)
    s2 = new_session()
    p = fn.at("kmap_atomic(page)")
    s2.site(p, "kmap_atomic", "page")
    s2.binding(p, "x", "kmap_atomic(page)")
    s2.unmap(fn.at("kunmap_atomic(x)"), "kunmap_atomic", "x")
    s2.prepare()
    assert s2.only_map(p)
    s2.leak(p, fn.at(leaking_return))
    return decide(s2)[(5, "kmap_atomic")]


def test_path_that_returns_without_the_unmap_is_named(tmp_path):
    rec = leak_record(tmp_path, ATOMIC_COPY, "return 0")
    # The unmap the path passes may run on it after all (a loop, a
    # condition the script does not tie to the map): it is named, and
    # the advice warns against a second unmap.
    assert rec["reasons"][0] == (
        "the path returning at line 8 may leave it mapped: no unmap on it "
        "that this script sees, though the unmap at line 7 lies before "
        "that return (under a condition, in a loop, on another branch, or "
        "of an address the script does not tie to this mapping)")
    assert rec["suggestion"].startswith("check whether that path runs one "
                                        "of those unmaps")
    assert "would release the mapping twice" in rec["suggestion"]


EARLY_RETURN = """int f(struct page *page, char *buf)
{
	char *x;

	x = kmap_atomic(page);
	if (!buf)
		return -EINVAL;
	memcpy(buf, x, 8);
	kunmap_atomic(x);
	return 0;
}"""


def test_a_return_before_every_unmap_is_a_plain_leak_path(tmp_path):
    rec = leak_record(tmp_path, EARLY_RETURN, "return -EINVAL")
    assert rec["reasons"][0] == ("the path returning at line 7 may leave it "
                                 "mapped: no unmap on it that this script "
                                 "sees")
    assert rec["suggestion"].startswith("check that path: if it is real")


@pytest.mark.parametrize("callee, kind", [
    ("copy_from_user", "pagefault"),
    ("__copy_to_user_inatomic", "pagefault"),
    ("get_user", "pagefault"),
    ("copy_page_to_iter", "pagefault"),
    ("smp_processor_id", "preempt"),
    ("raw_smp_processor_id", "preempt"),
    ("this_cpu_inc", "preempt"),
    ("preemptible", "preempt"),
    ("faulthandler_disabled", "pagefault"),
    ("foo_atomic", "atomic"),
    ("kmap_atomic", None),
    ("kunmap_atomic", None),
    ("set_user", None),
    ("memcpy", None),
])
def test_what_a_call_in_an_atomic_region_relies_on(callee, kind):
    assert classify.dependency(callee) == kind


BRANCHES = """int g(struct page *page, char *buf)
{
	char *x;
	int n;

%s
	%s
	n = op_copy(buf, lowmem(page));
	%s
%s
	x = kmap_atomic(page);
	n = op_copy(buf, x);
	kunmap_atomic(x);
%s
	return n;
}"""
IF_ELSE = ("\tif (!buf) {", "\t} else {", "\t}")
IFDEF_ELSE = ("#ifdef CONFIG_64BIT", "#else", "#endif")


def branches(tmp_path, before, after, arms=IF_ELSE):
    """The map's function, whose other branch (of an if, or arms: of an
    #if) makes the same call between the statements before and
    after."""
    fn = Function(tmp_path, "g", BRANCHES % (arms[0], before, after,
                                             arms[1], arms[2]))
    s = new_session()
    p = fn.at("kmap_atomic(page)")
    s.site(p, "kmap_atomic", "page")
    s.binding(p, "x", "kmap_atomic(page)")
    s.assigned_map(p, "x")
    for text in (before, after):
        if text.endswith("();"):
            s.call(fn.at(text), text[:-3], "")
    s.call(fn.at("op_copy(buf, lowmem"), "op_copy", "buf, lowmem(page)")
    s.call(fn.at("op_copy(buf, x)"), "op_copy", "buf, x")
    s.unmap(fn.at("kunmap_atomic(x)"), "kunmap_atomic", "x")
    return s, decide(s)[(11, "kmap_atomic")]


def test_a_call_made_elsewhere_with_pagefaults_disabled_keeps_them_off(
        tmp_path):
    """The other branch wraps the same call in pagefault_disable(): the
    call in the region had that from kmap_atomic(), and the rewrite
    makes it explicit."""
    s, rec = branches(tmp_path, "pagefault_disable();", "pagefault_enable();")
    assert rec["reasons"][0] == (
        "may rely on the implicit pagefault_disable() of kmap_atomic(): "
        "op_copy() at line 12, which this function also calls at line 8 "
        "between pagefault_disable() at line 7 and pagefault_enable() at "
        "line 9")
    assert rec["action"] == "rewritten"
    assert set(s.rw.guards.values()) == {"pagefault"}


@pytest.mark.parametrize("before,after", [
    ("barrier();", "barrier();"),                       # nothing disabled
    ("pagefault_enable();", "pagefault_disable();"),    # not around it
    ("preempt_disable();", "barrier();"),               # never enabled
])
def test_a_call_made_elsewhere_without_the_disable_around_it_is_plain(
        tmp_path, before, after):
    s, rec = branches(tmp_path, before, after)
    assert rec["reasons"] == ["mapped and unmapped in g() (unmap at line "
                              "13); address used only locally"]
    assert rec["action"] == "rewritten" and not s.rw.guards


def test_a_test_of_the_atomic_context_is_named_a_test(tmp_path):
    """in_atomic() runs anywhere: it tests the context the region had."""
    _, rec = atomic_copy(tmp_path, extra_call="in_atomic")
    assert rec["reasons"][0] == (
        "relies on the atomic context of kmap_atomic(): in_atomic() at line "
        "6 tests it, and is false in a kmap_local_page() region unless "
        "something else disables preemption")
    assert rec["action"] == "manual"



def test_a_disable_in_another_arm_of_the_maps_if_is_relied_on(tmp_path):
    """#ifdef CONFIG_64BIT pagefault_disable(); ... #else kmap_atomic();:
    the code after the #if ran with pagefaults off in both arms."""
    s, rec = branches(tmp_path, "pagefault_disable();", "barrier();",
                      IFDEF_ELSE)
    assert rec["reasons"][0] == (
        "may rely on the implicit pagefault_disable() of kmap_atomic(): "
        "pagefault_disable() at line 7, in another arm of the #if at line "
        "6, where this arm maps at line 11 instead")
    assert rec["action"] == "rewritten"
    assert set(s.rw.guards.values()) == {"pagefault"}
