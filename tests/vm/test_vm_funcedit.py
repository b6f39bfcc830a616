# SPDX-License-Identifier: GPL-2.0-only
"""Markers and the seeded defect go at the top of the right function's
body (golden file: data/funcedit.c -> data/funcedit.expected), never
into a prototype or a call."""

import os
import shutil

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
from vmtest import funcedit


def test_golden(tmp_path):
    work = tmp_path / "funcedit.c"
    shutil.copy(os.path.join(DATA, "funcedit.c"), work)
    for function, line in (("one_line", funcedit.MARKER),
                           ("type_on_own_line", funcedit.MARKER),
                           ("type_on_own_line", funcedit.SEED),
                           ("with_attr", funcedit.MARKER)):
        assert funcedit.insert_at_top(str(work), function, line)
    with open(os.path.join(DATA, "funcedit.expected")) as f:
        assert work.read_text() == f.read()


def test_only_calls_or_nothing_is_not_found(tmp_path):
    work = tmp_path / "funcedit.c"
    shutil.copy(os.path.join(DATA, "funcedit.c"), work)
    before = work.read_text()
    assert not funcedit.insert_at_top(str(work), "call_twice",
                                      funcedit.MARKER)
    assert not funcedit.insert_at_top(str(work), "missing", funcedit.MARKER)
    assert work.read_text() == before


def test_seed_unmaps_outer_mapping_first():
    # the defect: the first mapping is unmapped while the second is live
    seed = funcedit.SEED
    a = seed.index("kunmap_local(__kmap_vm_a)")
    b = seed.index("kunmap_local(__kmap_vm_b)")
    assert seed.index("__kmap_vm_a = kmap_local_page") < \
        seed.index("__kmap_vm_b = kmap_local_page") < a < b
