# SPDX-License-Identifier: GPL-2.0-only
"""The vocabulary of the kernel's page-mapping API, once for the toolkit.

It lives beside the semantic patch so that kmap_local.cocci, copied with
its module directory into a kernel tree for make coccicheck, carries it;
the rest of the toolkit imports it as kerneltree.mapapi, which re-exports
this file.  Plain data, no imports of the toolkit: both import paths must
work without the other.

Checked against analysis/src/api.c and semantic-patches/mapping_calls.cocci
by tests/semantic/test_mapapi.py.
"""

import os
import re

# The legacy calls the toolkit converts, and their unmaps.
LEGACY_MAPS = ("kmap", "kmap_atomic")
LEGACY_UNMAPS = ("kunmap", "kunmap_atomic")

# What they become.
LOCAL_MAP = "kmap_local_page"
LOCAL_UNMAP = "kunmap_local"

# The map whose region disabled pagefaults and preemption, and how many
# calls deep the functions a file defines are read for what a call in
# such a region relies on (kmap_local/callees.py; make convert's reduced
# views keep those functions: tools/kmapconv/reduce.py).
ATOMIC_MAP = "kmap_atomic"
CALLEE_DEPTH = 2
# A call, as both read one (not a member's function pointer, x.f( or
# x->f(): those are judged by name).
CALL_RE = re.compile(r"(?<![\w.>])([A-Za-z_]\w*)\s*\(")
# Words CALL_RE also finds that call nothing.
NOT_CALLS = frozenset(("if", "for", "while", "switch", "return", "sizeof",
                       "do", "typeof", "__typeof__", "_Alignof", "defined",
                       "asm", "__asm__"))

# Kernel calls that return a pointer into what they are given: a store of
# their result stores the address (a function of the file is read for
# the same: callees.returned_parameters()).
POINTER_INTO_ARGUMENT = frozenset((
    "PTR_ALIGN", "PTR_ALIGN_DOWN", "container_of", "container_of_const",
    "memchr", "memchr_inv", "memscan", "strchr", "strchrnul", "strnchr",
    "strrchr", "strstr", "strnstr", "strpbrk", "skip_spaces", "strim",
    "strstrip"))

# Each map function with the unmap that releases what it maps.
UNMAP_OF = {
    "kmap": "kunmap",
    "kmap_atomic": "kunmap_atomic",
    "kmap_local_page": "kunmap_local",
    "kmap_local_folio": "kunmap_local",
}

# The unmaps kmap_local.cocci pairs with a map (kunmap_local() of an
# address some earlier conversion already made local included).
FOLLOWED_UNMAPS = LEGACY_UNMAPS + (LOCAL_UNMAP,)

# Copy helpers that map, copy within one page and unmap in one call, by
# the kind of copy they replace (from the page, to it, zeroing it, page
# to page, clearing all of it).
COPY_HELPERS = {
    "from": "memcpy_from_page",
    "to": "memcpy_to_page",
    "zero": "memzero_page",
    "pair": "memcpy_page",
    "clear": "clear_highpage",
}
# Their folio forms, for the first page of a folio: within one page (the
# page helper's bound) each does what its page twin does (the folio's
# flush covers the page's).  memcpy_page() and clear_highpage() have
# none.
FOLIO_COPY_HELPERS = {
    "from": "memcpy_from_folio",
    "to": "memcpy_to_folio",
    "zero": "folio_zero_range",
}

# Folio forms of the local-mapping API.
FOLIO_CALLS = (
    "kmap_local_folio", "memcpy_from_folio", "memcpy_to_folio",
    "folio_zero_range", "folio_zero_segment", "folio_zero_segments",
    "folio_zero_tail", "folio_release_kmap")

# A folio call and its page twin make the same local mapping.  Only
# one-to-one twins are listed.  folio_zero_segment(folio, start, end)
# zeroes one range like memzero_page(page, start, end - start) (map,
# memset, flush, unmap); folio_zero_segments (two ranges) has no page
# twin.  folio_zero_tail(folio, off, kaddr) zeroes through an address the
# caller already mapped: in the page API that is memset() +
# flush_dcache_page(), no mapping call (None).  folio_release_kmap(folio,
# addr) is kunmap_local(addr) followed by folio_put(folio): as a mapping
# call it is the unmap.
PAGE_TWIN_OF_FOLIO_CALL = {
    "folio_release_kmap": "kunmap_local",
    "kmap_local_folio": "kmap_local_page",
    "memcpy_from_folio": "memcpy_from_page",
    "memcpy_to_folio": "memcpy_to_page",
    "folio_zero_range": "memzero_page",
    "folio_zero_segment": "memzero_page",
    "folio_zero_tail": None,
}

# Calls that make (or release) a local mapping: a function naming one of
# them has been converted.  kunmap_local() alone is enough: a map helper
# split off into another function leaves just the unmap behind.
LOCAL_CALLS = frozenset(
    (LOCAL_MAP, LOCAL_UNMAP) + tuple(COPY_HELPERS.values()) + FOLIO_CALLS)

# Every mapping call a function can make, legacy or local (what
# mapping_calls.cocci counts and a review looks for in a patch).
MAPPING_CALLS = frozenset(LEGACY_MAPS + LEGACY_UNMAPS) | LOCAL_CALLS

# The calls kmap_local.cocci reads: a function naming none of them is
# nothing to the semantic patch.
SEMANTIC_PATCH_CALLS = frozenset(
    LEGACY_MAPS + FOLLOWED_UNMAPS + (LOCAL_MAP,))

# Every map and unmap entry point of the highmem API, each with the
# interface it is (the __ forms are the ones the macros expand to).
MAP_FUNCTIONS = {
    "kmap": "kmap",
    "kmap_atomic": "kmap_atomic",
    "kmap_atomic_prot": "kmap_atomic_prot",
    "kmap_atomic_pfn": "kmap_atomic_pfn",
    "kmap_local_page": "kmap_local_page",
    "kmap_local_page_prot": "kmap_local_page_prot",
    "__kmap_local_page_prot": "kmap_local_page_prot",
    "kmap_local_folio": "kmap_local_folio",
    "kmap_local_pfn": "kmap_local_pfn",
    "__kmap_local_pfn_prot": "kmap_local_pfn",
    "kmap_local_page_try_from_panic": "kmap_local_page_try_from_panic",
}
UNMAP_FUNCTIONS = {
    "kunmap": "kunmap",
    "kunmap_atomic": "kunmap_atomic",
    "__kunmap_atomic": "kunmap_atomic",
    "kunmap_local": "kunmap_local",
    "__kunmap_local": "kunmap_local",
}

# The address of a page without mapping it: it does not see a local
# mapping.
PAGE_ADDRESS_CALLS = ("page_address", "lowmem_page_address",
                      "folio_address")

# spatch's current_element outside any function: a macro body, an
# initialiser.  Not a function, so no region of one to convert.
NOT_A_FUNCTION = "something_else"

# A function of the mapping API itself (kmap_atomic_prot() mapping with
# kmap_atomic() semantics, kmap_atomic_pfn()...): not a user to convert.
API_FUNCTION_RE = re.compile(r"^_*k(un)?map(_|$)")

# Calls that hand what they are given to another context (a workqueue, a
# kthread, a timer, RCU, an interrupt, another CPU, the block layer).
DEFERRED_WORK_RE = re.compile(
    r"^(queue_(delayed_|rcu_)?work(_on)?|schedule_(delayed_)?work(_on)?|"
    r"mod_delayed_work(_on)?|kthread_(run|create)\w*|"
    r"kthread_queue_(delayed_)?work|mod_timer\w*|add_timer\w*|timer_setup|"
    r"call_rcu\w*|tasklet_(hi_)?schedule|tasklet_(init|setup)|"
    r"irq_work_queue\w*|complete(_all)?|async_schedule\w*|"
    r"smp_call_function\w*|on_each_cpu\w*|task_work_add|submit_bio)$")


def is_unmap(name):
    """name is one of the unmaps the semantic patch follows."""
    return name in FOLLOWED_UNMAPS


def local_form(name):
    """The local-mapping call replacing the legacy map or unmap name."""
    return LOCAL_UNMAP if is_unmap(name) else LOCAL_MAP


# How make convert talks to the semantic patch: environment variables on
# spatch's command line (docs/contracts.md).
# Where the JSON records go in patch mode (stdout carries the diffs: two
# writers on one stream could split each other's lines).
JSON_ENV = "KMAP_LOCAL_JSON"
# A site's reason naming a call its kmap_atomic() region relies on, or
# may rely on (the semantic patch writes it, with "relies" or "may rely",
# of the kind "pagefault" or "preempt", the callee, its line and an
# explanation; the review and the series' messages read it), and the
# explanation of cache maintenance by the mapped address.
DEPENDENCY_REASON = ("%s on the implicit %s_disable() of kmap_atomic(): "
                     "%s() at line %d%s")
RELIES, MAY_RELY = "relies", "may rely"
DEPENDENCY_REASON_RE = re.compile(
    r"(?:relies|may rely) on the implicit (pagefault|preempt)_disable\(\) "
    r"of kmap_atomic\(\): (\w+)\(\) at line \d+")
CACHE_BY_ADDRESS = "is given the mapped address for cache maintenance"
# The evidence of a disable the code makes explicitly elsewhere (the
# DEPENDENCY_REASON's tail): the same call between a disable and its
# enable, or the disable in another arm of the map's #if.
DISABLED_AROUND_CALL = (", which this function also calls at line %d "
                        "between %s() at line %d and %s() at line %d")
DISABLED_IN_OTHER_ARM = (", in another arm of the #if at line %d, where "
                         "this arm maps at line %d instead")
EXPLICIT_ELSEWHERE_RE = re.compile(
    r", which this function also calls at line \d+ between |"
    r", in another arm of the #if at line \d+, where this arm maps")
# A function-pointer parameter resolved (pointers.py) to functions that
# rely on neither disable: the parameter, where it is called ("line N",
# "lines N, M"), the functions, the function whose callers give them,
# "it" or "one of them", and "it does not rely" or "none relies".
POINTER_REASON = ("%s (%s) is %s: every call of %s() in this file gives %s "
                  "there, and %s on the pagefault or preemption disable of "
                  "kmap_atomic()")
POINTER_REASON_RE = re.compile(
    r"^(\w+) \(lines? [\d, ]+\) is (.+?): every call of \w+\(\) in this "
    r"file gives")


# A JSON lines file of functions kmap-audit flagged in an earlier
# rewrite: their sites (or only the unproven ones) stay manual.
DENY_ENV = "KMAP_LOCAL_DENY"
# Its entries of this scope are no denial but kmap-audit's word on the
# paths the script could not follow from sites not rewritten for other
# reasons (their records' "unfollowed"), as found in the unchanged code.
PATHS_SCOPE = "paths"
# Its verdicts: every path unmaps; one leaves the mapping live (the
# audit's finding); the audit could not check the function.
PATHS_PROVED, PATHS_REFUTED, PATHS_UNCHECKED = \
    "proved", "refuted", "unchecked"
# 1: kmap-audit will check the rewrite, so a site that only paths the
# script cannot follow keep from a rewrite is rewritten, its record
# naming those paths ("unproven") for the audit to prove or refute.
PROVE_ENV = "KMAP_LOCAL_PROVE"
# The folio forms the tree the files come from defines, comma-separated
# (kmap_local_folio and FOLIO_COPY_HELPERS' names; empty: none), as make
# convert finds them (it runs spatch on reduced copies outside the tree).
# Unset: the semantic patch looks for the tree above each file.
FOLIO_ENV = "KMAP_LOCAL_FOLIO"
FOLIO_FORMS = ("kmap_local_folio",) + tuple(FOLIO_COPY_HELPERS.values())
# The functions of a directory that need a parameter in the linear map,
# as make convert found them (linear.env_value(): DIR/FUNCTION:INDEX:KIND,
# KIND linear or kvec, comma-separated; empty: none found, or none
# looked for).  Unset: the
# semantic patch reads each file's directory itself (linear.py).
LINEAR_ENV = "KMAP_LOCAL_LINEAR"
# The functions a function-pointer parameter can be, as make convert
# found them in the directory (pointers.env_value(): PATH:FUNCTION:
# PARAMETER=T1+T2, comma-separated; empty: none found, or none looked
# for).  Unset: the semantic patch reads each file's directory itself.
POINTER_ENV = "KMAP_LOCAL_POINTERS"

# Where a tree declares the local-mapping API.
HIGHMEM_HEADERS = ("include/linux/highmem.h",
                   "include/linux/highmem-internal.h")


def highmem_headers_text(root):
    """The text of the tree's HIGHMEM_HEADERS, those it has ("" for
    none)."""
    text = ""
    for header in HIGHMEM_HEADERS:
        try:
            with open(os.path.join(root, header), errors="replace") as f:
                text += f.read()
        except OSError:
            continue
    return text


def tree_folio_forms(root):
    """The FOLIO_FORMS the kernel tree at root defines."""
    text = highmem_headers_text(root)
    return frozenset(name for name in FOLIO_FORMS
                     if re.search(r"\b%s\s*\(" % name, text))


def folio_forms_env(forms):
    """FOLIO_ENV's value for a set of folio forms."""
    return ",".join(sorted(forms))


def folio_forms_of_env(value):
    """The folio forms FOLIO_ENV's value names (only known ones)."""
    return frozenset(v for v in value.split(",") if v in FOLIO_FORMS)


def tree_root_of(path):
    """The kernel tree holding path (the nearest directory above it with
    include/linux/highmem.h), None outside one."""
    here = os.path.dirname(os.path.abspath(path))
    while True:
        if os.path.isfile(os.path.join(here, HIGHMEM_HEADERS[0])):
            return here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent
