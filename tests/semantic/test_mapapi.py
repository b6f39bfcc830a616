# SPDX-License-Identifier: GPL-2.0-only
"""The mapping-API vocabulary exists once (semantic-patches/kmap_local/
mapapi.py, re-exported as kerneltree.mapapi); the lists that cannot
import it -- the C audit's table and the SmPL identifier lists -- must
agree with it."""

import re

from kerneltree import mapapi
from kmap_local import mapapi as cocci_mapapi
from kmapconv import evaluate, reduce
from kmapreview import mapcalls
from testlib import REPO

API_C = REPO / "analysis" / "src" / "api.c"
MAPPING_CALLS_COCCI = REPO / "semantic-patches" / "mapping_calls.cocci"
KMAP_LOCAL_COCCI = REPO / "semantic-patches" / "kmap_local.cocci"

ENTRY_RE = re.compile(r'\{\s*"(\w+)",\s*(API_\w+),\s*"(\w+)",')
IDENT_LIST_RE = re.compile(r"identifier\s+\w+\s*=\s*\{([^}]*)\}")


def api_c_entries():
    """(name, kind, canonical name) of each entry of the audit's table."""
    entries = ENTRY_RE.findall(API_C.read_text())
    assert len(entries) > 20, "api.c's table was not parsed"
    return entries


def smpl_identifier_lists(path):
    return [set(n.strip() for n in body.split(","))
            for body in IDENT_LIST_RE.findall(path.read_text())]


def test_the_toolkit_sees_the_module_vocabulary_itself():
    assert mapapi.SOURCE == cocci_mapapi.__file__
    assert mapapi.__all__ and all(
        getattr(mapapi, n) == getattr(cocci_mapapi, n)
        for n in mapapi.__all__ if not callable(getattr(mapapi, n)))
    assert evaluate.LOCAL is mapapi.LOCAL_CALLS
    assert evaluate.NORMALISE is mapapi.PAGE_TWIN_OF_FOLIO_CALL
    assert reduce.API is mapapi.SEMANTIC_PATCH_CALLS
    assert mapcalls.ALL is mapapi.MAPPING_CALLS


def test_audit_map_and_unmap_entries_are_the_vocabulary():
    maps = {n: c for (n, k, c) in api_c_entries()
            if k in ("API_MAP", "API_KMAP")}
    unmaps = {n: c for (n, k, c) in api_c_entries()
              if k in ("API_UNMAP", "API_KUNMAP")}
    assert maps == mapapi.MAP_FUNCTIONS
    assert unmaps == mapapi.UNMAP_FUNCTIONS


def test_audit_legacy_kinds_are_the_legacy_calls():
    kinds = {n: k for (n, k, _c) in api_c_entries()}
    assert [n for n in mapapi.LEGACY_MAPS if kinds[n] == "API_KMAP"] == \
        ["kmap"]
    assert kinds["kunmap"] == "API_KUNMAP"


def test_audit_address_and_deferred_calls_are_the_vocabulary():
    entries = api_c_entries()
    assert sorted(n for (n, k, _c) in entries if k == "API_NOT_MAPPING") \
        == sorted(mapapi.PAGE_ADDRESS_CALLS)
    deferred = [n for (n, k, _c) in entries if k == "API_DEFER"]
    assert deferred
    assert [n for n in deferred
            if not mapapi.DEFERRED_WORK_RE.match(n)] == []


def test_mapping_calls_cocci_counts_every_mapping_call():
    lists = smpl_identifier_lists(MAPPING_CALLS_COCCI)
    assert lists == [set(mapapi.MAPPING_CALLS)]


def test_kmap_local_cocci_names_only_the_calls_it_follows():
    # ... and the copy helpers it writes (a block left with one of them
    # loses its braces).
    names = set().union(*smpl_identifier_lists(KMAP_LOCAL_COCCI))
    assert names - {"memcpy", "memset"} - set(
        mapapi.COPY_HELPERS.values()) - set(
        mapapi.FOLIO_COPY_HELPERS.values()) == set(
        mapapi.SEMANTIC_PATCH_CALLS)


def test_pairs_twins_and_helpers_name_known_calls():
    for m, u in mapapi.UNMAP_OF.items():
        assert m in mapapi.MAP_FUNCTIONS and u in mapapi.UNMAP_FUNCTIONS
    for folio, page in mapapi.PAGE_TWIN_OF_FOLIO_CALL.items():
        assert folio in mapapi.FOLIO_CALLS
        assert page is None or page in mapapi.LOCAL_CALLS
    assert set(mapapi.COPY_HELPERS.values()) < mapapi.LOCAL_CALLS
    for kind, helper in mapapi.FOLIO_COPY_HELPERS.items():
        assert helper in mapapi.FOLIO_CALLS
        assert mapapi.PAGE_TWIN_OF_FOLIO_CALL[helper] == \
            mapapi.COPY_HELPERS[kind]
    assert mapapi.local_form("kunmap_atomic") == "kunmap_local"
    assert mapapi.local_form("kmap") == "kmap_local_page"


def test_api_functions_are_told_from_their_users():
    for name in ("kmap", "kmap_atomic_prot", "__kunmap_atomic",
                 "kmap_local_page"):
        assert mapapi.API_FUNCTION_RE.match(name), name
    for name in ("kmapper_init", "ext4_kmap_page", "unkmap"):
        assert not mapapi.API_FUNCTION_RE.match(name), name


def test_a_tree_and_its_folio_form_are_found_above_a_file(tmp_path):
    (tmp_path / "include" / "linux").mkdir(parents=True)
    (tmp_path / "fs" / "x").mkdir(parents=True)
    header = tmp_path / "include" / "linux" / "highmem.h"
    header.write_text("void *kmap_local_page(struct page *page);\n")
    assert mapapi.tree_root_of(str(tmp_path / "fs" / "x" / "a.c")) == \
        str(tmp_path)
    assert mapapi.tree_folio_forms(str(tmp_path)) == frozenset()
    (tmp_path / "include" / "linux" / "highmem-internal.h").write_text(
        "static inline void *kmap_local_folio(struct folio *folio,\n"
        "\t\t\t\t     size_t offset)\n{\n}\n")
    assert mapapi.tree_folio_forms(str(tmp_path)) == {"kmap_local_folio"}
    with open(header, "a") as f:
        f.write("static inline void folio_zero_range(struct folio *folio,"
                "\n\t\tsize_t start, size_t length)\n{\n}\n"
                " * memcpy_to_folio - named in a comment only\n")
    forms = mapapi.tree_folio_forms(str(tmp_path))
    assert forms == {"kmap_local_folio", "folio_zero_range"}
    # make convert says it to spatch, and only known names count
    value = mapapi.folio_forms_env(forms)
    assert value == "folio_zero_range,kmap_local_folio"
    assert mapapi.folio_forms_of_env(value + ",kmap_bogus") == forms
    assert mapapi.folio_forms_of_env("") == frozenset()
    assert mapapi.tree_root_of("/no/tree/here/a.c") is None
