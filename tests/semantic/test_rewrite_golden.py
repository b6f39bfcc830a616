# SPDX-License-Identifier: GPL-2.0-only
"""Golden tests for the rewrites: tests/semantic/rewrite/X.c through the semantic
patch in patch mode must give X.expected.c, and each site the action in
X.actions ("line function action").  The fixtures cover each rewrite and
its traps: a wrong unmap argument (kunmap() takes the page), a path that
forgets an unmap, an unmap order that must change (and one that cannot),
a region that calls __copy_from_user_inatomic(), the retry idiom.

After a reviewed change to the rules, regenerate them with make golden
(UPDATE_GOLDEN=1) and read the diff of the expected files like a patch
review.
"""
import copy
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from testlib import check_golden, needs

HERE = pathlib.Path(__file__).resolve().parent
pytestmark = needs(shutil.which('spatch'), 'spatch is missing (Debian package '
                   'coccinelle)')
COCCI = HERE.parents[1] / 'semantic-patches' / 'kmap_local.cocci'
CASES = sorted(p.stem for p in (HERE / 'rewrite').glob('*.c')
               if not p.name.endswith('.expected.c'))


# Not a performance bound: a fixture takes seconds.  A hang (say, a regular
# expression backtracking exponentially in a script) fails instead of
# stalling the suite.
HANG = 600


def run(case, tmp_path):
    out = tmp_path / (case + '.out.c')
    proc = subprocess.run(
        ['spatch', '--very-quiet', '-D', 'patch', '-D', 'json',
         '--sp-file', str(COCCI), '-o', str(out), case + '.c'],
        cwd=HERE / 'rewrite', capture_output=True, text=True, check=True,
        timeout=HANG)
    records = [json.loads(l) for l in proc.stdout.splitlines()
               if l.startswith('{')]
    return out.read_text(), records


@pytest.fixture(scope='module')
def rewritten(tmp_path_factory):
    """run() of a case, once per case: spatch gives the same output for
    the same input, and a dozen tests read the same fixture's run."""
    done = {}

    def get(case):
        if case not in done:
            done[case] = run(case, tmp_path_factory.mktemp(case))
        text, records = done[case]
        return text, copy.deepcopy(records)
    return get


@pytest.mark.parametrize('case', CASES)
def test_rewrite_matches_golden(case, rewritten):
    text, records = rewritten(case)
    check_golden(HERE / 'rewrite' / (case + '.expected.c'), text)
    check_golden(HERE / 'rewrite' / (case + '.actions'), ''.join(
        '%d %s %s\n' % (r['line'], r['function'], r['action'])
        for r in records))


@pytest.mark.parametrize('case', CASES)
def test_rewritten_sites_say_what_changed(case, rewritten):
    _, records = rewritten(case)
    for r in records:
        if r['action'] == 'rewritten':
            assert r['rewrite'] and 'suggestion' not in r, r
        elif r['action'] == 'manual':
            assert r['suggestion'] and 'rewrite' not in r, r


@pytest.mark.parametrize('case', CASES)
def test_rewrite_is_idempotent(case, rewritten, tmp_path):
    """The converted file converts to itself."""
    text, _ = rewritten(case)
    again = tmp_path / 'again'
    again.mkdir()
    (again / (case + '.c')).write_text(text)
    for header in (HERE / 'rewrite').glob('*.h'):     # what is beside it
        shutil.copy(header, again)
    out = again / 'out.c'
    subprocess.run(['spatch', '--very-quiet', '-D', 'patch',
                    '--sp-file', str(COCCI), '-o', str(out), case + '.c'],
                   cwd=again, capture_output=True, text=True, check=True,
                   timeout=HANG)
    assert out.read_text() == text


def test_a_mapping_kept_for_page_address_is_never_advised_local(rewritten):
    """kmap(page); with its result discarded and the unmap in another
    function serves page_address() in other code: kept, with that
    evidence, and no suggestion to return a local address."""
    _text, records = rewritten('overreach')
    [site] = [r for r in records if r['function'] == 'cache_insert']
    assert site['action'] == 'kept' and site['class'] == 'cross-thread'
    assert 'suggestion' not in site
    assert 'page_address()' in site['reasons'][0]
    assert 'unmapped by another function (cache_remove()' in site['reasons'][0]


def test_a_get_helper_is_split_across_functions_not_a_leak(rewritten):
    """The page's holder handed to the caller through an out parameter:
    the mapping is the caller's to release, so the reason is a split
    pair, never an unmap to add on that path."""
    _text, records = rewritten('overreach')
    [site] = [r for r in records if r['function'] == 'get_mapped_block']
    assert site['action'] == 'manual'
    assert site['reasons'][0].startswith('map/unmap split across functions')
    assert "of bh's page handed to the caller through *bhp" in \
        site['reasons'][0]
    assert 'needs its unmap' not in site['suggestion']


def test_an_unmap_through_an_alias_is_named_not_denied(rewritten):
    """kunmap(pg) after pg = pages[i] unmaps the kmap(pages[i]): the site
    is manual with that unmap named, never 'no unmap here'."""
    _text, records = rewritten('overreach')
    [site] = [r for r in records
              if r['function'] == 'map_frame' and r['line'] == 235]
    assert site['action'] == 'manual'
    assert site['reasons'][0].startswith(
        'unmapped through an alias: kunmap(pg) at line 247, pg = pages[i]')
    assert not any('no unmap here' in r for r in site['reasons'])


def test_a_loop_without_braces_is_a_loop(rewritten):
    """for (...) kmap(pages[i]); maps n pages before any unmap: the
    mapping stack grows, whether or not the body has braces."""
    _text, records = rewritten('overreach')
    [site] = [r for r in records
              if r['function'] == 'map_frame' and r['line'] == 235]
    assert 'mapped in the loop at line 234 without an unmap in the same ' \
        'iteration: the mapping stack grows (KM_MAX_IDX)' in site['reasons']


def test_maps_one_unmap_releases_are_converted_together(rewritten):
    """A rolling remap: the kunmap() in the loop releases the first map's
    mapping and the loop map's of the previous iteration.  Converting
    the loop map alone would leave kunmap() for a local mapping (and a
    kunmap_local() of a kmap() address after a loop that did not run):
    it is manual, naming that unmap."""
    _text, records = rewritten('overreach')
    [site] = [r for r in records
              if r['function'] == 'roll_kept' and r['line'] == 265]
    assert site['action'] == 'manual'
    assert site['reasons'][0] == (
        'the unmap at line 263 also releases the mapping made at line 256, '
        'which is not converted with it (one unmap for both, or a rolling '
        'remap in a loop)')
    assert site['suggestion'].startswith('convert every map that unmap '
                                         'releases together')
    assert [r['action'] for r in records if r['function'] == 'roll_both'] \
        == ['rewritten', 'rewritten']


def test_maps_on_two_branches_with_one_unmap_convert_together(rewritten):
    _text, records = rewritten('overreach')
    sites = [r for r in records if r['function'] == 'branch_maps']
    assert [r['action'] for r in sites] == ['manual', 'manual']
    assert sites[0]['reasons'][0].startswith(
        'the unmap at line 301 releases this mapping and pairs with a '
        'later map of the same address')
    assert sites[1]['reasons'][0].startswith(
        'the unmap at line 301 also releases the mapping made at line 297')


def test_a_page_mapped_twice_is_neither_converted_nor_called_unmapped(
        rewritten):
    _text, records = rewritten('overreach')
    sites = [r for r in records if r['function'] == 'mapped_twice']
    assert [(r['action'], r['class']) for r in sites] == [
        ('manual', 'nesting-sensitive'), ('manual', 'nesting-sensitive')]
    assert sites[0]['reasons'] == [
        'the unmap at line 315 releases this mapping and pairs with a later '
        'map of the same page: the maps and the unmap convert together or '
        'not at all']


def test_an_atomic_unmap_through_a_copy_of_the_stored_address_is_named(
        rewritten):
    _text, records = rewritten('overreach')
    [site] = [r for r in records if r['function'] == 'through_field']
    assert site['action'] == 'manual'
    assert site['reasons'] == [
        'unmapped through an alias: kunmap_atomic(x) at line 333, '
        'x = h->buf at line 331; the script does not pair them, so neither '
        'their order nor every path is shown']


def test_an_address_stored_in_a_global_or_static_is_kept(rewritten):
    _text, records = rewritten('overreach')
    for function, variable in (('store_global', 'last_mapped'),
                               ('store_static', 'prev')):
        [site] = [r for r in records if r['function'] == function]
        assert (site['action'], site['class']) == ('kept', 'cross-thread')
        assert site['reasons'][0].startswith(
            'address stored in %s (line ' % variable)
        assert site['reasons'][0].endswith(
            'a global or static variable other threads can read while the '
            'page is mapped')
        assert 'suggestion' not in site


FOLIO_TREE = HERE / 'folio-tree'


def test_a_folios_first_page_maps_in_the_folio_form_the_tree_has(tmp_path):
    # folio-tree/include/linux/highmem.h defines kmap_local_folio() and
    # the folio copy helpers: the semantic patch, run alone, finds them
    # above the file.  make convert names them in KMAP_LOCAL_FOLIO (its
    # spatch reads copies elsewhere); a form the tree lacks is not used.
    def rewrite(env):
        out = tmp_path / ('folio-%d.c' % len(os.listdir(tmp_path)))
        subprocess.run(
            ['spatch', '--very-quiet', '-D', 'patch', '--sp-file',
             str(COCCI), '-o', str(out), 'fs/folio.c'],
            cwd=FOLIO_TREE, env=dict(os.environ, **env),
            capture_output=True, text=True, check=True, timeout=HANG)
        return out.read_text()
    check_golden(FOLIO_TREE / 'fs' / 'folio.expected.c', rewrite({}))
    expected = (FOLIO_TREE / 'fs' / 'folio.expected.c').read_text()
    assert rewrite({'KMAP_LOCAL_FOLIO': 'folio_zero_range,kmap_local_folio,'
                    'memcpy_from_folio,memcpy_to_folio'}) == expected
    plain = rewrite({'KMAP_LOCAL_FOLIO': ''})
    for form in ('kmap_local_folio(folio, 0);', 'memcpy_to_folio(folio',
                 'memcpy_from_folio(buf', 'folio_zero_range(folio'):
        assert form not in plain
    assert plain.count('kmap_local_page(') == 4
    assert 'memzero_page(&folio->page, 0, PAGE_SIZE);' in plain
    # an older tree: the map and the zeroing in folio form, the copies not
    part = rewrite({'KMAP_LOCAL_FOLIO': 'kmap_local_folio,folio_zero_range'})
    assert part.count('kmap_local_folio(folio, 0);') == 2
    assert 'folio_zero_range(folio, 0, PAGE_SIZE);' in part
    assert 'memcpy_to_page(page, 0, data, len);' in part
    assert 'memcpy_from_page(buf, &folio->page, 0, PAGE_SIZE);' in part


def test_maps_in_the_two_arms_of_an_if_never_overlap(rewritten):
    """kaddr = kmap() in one arm and kaddr = kmap_atomic() in the other,
    each released in the matching arm of a later if: no pass holds both,
    so no overlap nor unmap order is claimed, and no advice to reorder
    them.  Two maps in one pass still are."""
    _text, records = rewritten('exclusive')
    arms = [r for r in records if r['function'] == 'excl_correlated']
    assert len(arms) == 2
    for r in arms:
        assert not any('overlaps' in why for why in r['reasons']), r
        assert not r['suggestion'].startswith('unmap in reverse order')
    [older, newer] = [r for r in records if r['function'] == 'excl_not']
    assert older['reasons'][0].startswith('overlaps the mapping at line 78')


def test_mappings_remapped_in_turn_are_not_ordered_by_their_text(rewritten):
    """Two rolling remaps in one loop: which is newer after it depends on
    the passes, so the script neither swaps the unmaps after the loop
    nor tells the maintainer to; it says so."""
    text, records = rewritten('rolling')
    turn = [r for r in records if r['function'] == 'roll_two_in_turn']
    assert [r['action'] for r in turn] == ['manual', 'manual']
    for r in turn:
        assert 'remapped in turn in the loop at line 65' in r['reasons'][0]
        assert not r['suggestion'].startswith('unmap in reverse order')
    assert 'kunmap_local(dst);\n\tkunmap_local(src);' not in text


def test_a_map_in_a_macro_body_is_not_a_function_missing_its_unmap(
        rewritten):
    """spatch names the place outside any function something_else: the
    reason names the macro instead, and claims no missing unmap."""
    _text, records = rewritten('overreach')
    [site] = [r for r in records if r['function'] == 'something_else']
    assert site['action'] == 'manual'
    assert site['reasons'] == [
        'in the body of the macro frame_map (#define at line 478), not of '
        'a function: each use of the macro maps, and is a site of its own']
    assert site['suggestion'].startswith('convert by hand, if at all: the '
                                         'macro and the one that unmaps')


def test_advice_to_add_an_unmap_names_a_callee_that_may_take_it_on(
        rewritten):
    """The address is given to a callee before the path that leaves it
    mapped returns: adding an unmap there would break a hand-over, and
    the advice says so instead of calling the path a plain leak."""
    _text, records = rewritten('overreach')
    [site] = [r for r in records if r['function'] == 'hand_over']
    assert site['action'] == 'manual'
    assert site['suggestion'].endswith(
        'but the address is given to queue_frags() at line 493 before that '
        'return: if it keeps the mapping for another function to release, '
        'the path hands it on, no leak, an unmap added there would break '
        'it, and the map stays kmap()')


def test_a_kmap_copy_of_more_than_one_page_keeps_kmap(rewritten):
    """kmap() of a lowmem higher-order page gives the linear map of all
    of it; a local mapping maps one page.  A copy whose length is made
    of pages (PAGE_SIZE << order) keeps the site manual; a copy bounded
    by the page, and a page-sized offset that is no length, do not."""
    _text, records = rewritten('overreach')
    [order] = [r for r in records if r['function'] == 'copy_order']
    assert order['action'] == 'manual'
    assert order['reasons'][0].startswith(
        'memcpy() at line 505 is given the address and size (size = '
        'PAGE_SIZE << order, line 502), which can be more than one page')
    assert order['suggestion'].startswith('keep kmap(), or convert by hand')
    [bounded] = [r for r in records if r['function'] == 'copy_in_page']
    assert bounded['action'] == 'rewritten'


def test_a_kmap_address_that_must_be_in_the_linear_map_keeps_kmap(
        rewritten):
    """sg_set_buf() finds the page of the address through the linear map,
    where kmap() of a lowmem page puts it and a local mapping does not."""
    _text, records = rewritten('overreach')
    [site] = [r for r in records if r['function'] == 'hash_page']
    assert site['action'] == 'manual'
    assert site['reasons'][0].startswith(
        'sg_set_buf() at line 527 is given the address: it needs the '
        "page's place in the linear map")
    assert 'sg_set_page()' in site['suggestion']


def test_a_callee_beside_the_file_that_needs_a_linear_address(rewritten):
    """host_write() (hostcall.h, beside the input) hands the buffer on as
    (uintptr_t)buf: run alone, the semantic patch reads the directory
    and keeps the kmap() whose address goes there."""
    _text, records = rewritten('overreach')
    [site] = [r for r in records if r['function'] == 'write_through_host']
    assert site['action'] == 'manual'
    assert site['reasons'][0].startswith(
        'host_write() at line 539 is given the address, and its definition '
        'beside this file turns it into a page or a number')
    assert 'callees' not in site
    [kvec] = [r for r in records if r['function'] == 'send_through_kvec']
    assert kvec['action'] == 'manual'
    assert kvec['reasons'][0].startswith(
        'conn_send() at line 616 is given the address, and its definition '
        'beside this file puts it in a kvec (.iov_base)')
