# SPDX-License-Identifier: GPL-2.0-only
"""Golden tests for semantic-patches/kmap_local.cocci.

Each tests/semantic/cocci/<case>.c is run through spatch in report mode (as make
coccicheck would) and must print exactly <case>.res: every site with its
class and the evidence.  A failing case shows the diff.  JSON mode must
agree with report mode site for site.
"""
import functools
import json
import pathlib
import shutil
import subprocess

import pytest

from testlib import check_golden, needs

HERE = pathlib.Path(__file__).resolve().parent
pytestmark = needs(shutil.which('spatch'), 'spatch is missing (Debian package '
                   'coccinelle)')
COCCI = HERE.parents[1] / 'semantic-patches' / 'kmap_local.cocci'
CASES = sorted(p.stem for p in (HERE / 'cocci').glob('*.c'))


# Once per case and mode: spatch gives the same output for the same input,
# and several tests read the same run.
@functools.lru_cache(maxsize=None)
def spatch(case, *extra):
    res = subprocess.run(
        ['spatch', '--very-quiet', '--no-includes', '--sp-file', str(COCCI),
         *extra, case + '.c'],
        cwd=HERE / 'cocci', capture_output=True, text=True, check=True)
    return res.stdout


@pytest.mark.parametrize('case', CASES)
def test_report_matches_golden(case):
    check_golden(HERE / 'cocci' / (case + '.res'), spatch(case))


@pytest.mark.parametrize('case', CASES)
def test_json_agrees_with_report(case):
    sites = [json.loads(line) for line in spatch(case, '-D', 'json').splitlines()
             if line.startswith('{')]
    lines = spatch(case).splitlines()
    assert len(sites) == len(lines) > 0
    for site, line in zip(sites, lines):
        head = '%s:%d:%d: %s() site is %s: ' % (
            site['file'], site['line'], site['column'], site['api'],
            site['class'])
        assert line == head + '; '.join(site['reasons'])
        assert site['reasons'], line


def test_every_class_is_covered():
    text = ''.join((HERE / 'cocci' / (c + '.res')).read_text() for c in CASES)
    for cls in ('thread-local', 'nesting-sensitive', 'cross-thread'):
        assert 'site is %s:' % cls in text


def test_a_copy_with_its_module_runs_anywhere(tmp_path):
    """make coccicheck passes the semantic patch by a path relative to
    the kernel tree: a copy of the .cocci with its kmap_local/ directory
    finds its module from any working directory."""
    copy = tmp_path / 'scripts' / 'coccinelle'
    shutil.copytree(COCCI.parent / 'kmap_local', copy / 'kmap_local',
                    ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copy(COCCI, copy)
    case = CASES[0]
    shutil.copy(HERE / 'cocci' / (case + '.c'), tmp_path)
    res = subprocess.run(
        ['spatch', '--very-quiet', '--no-includes', '-D', 'report',
         '--sp-file', 'scripts/coccinelle/kmap_local.cocci', case + '.c'],
        cwd=tmp_path, capture_output=True, text=True, check=True)
    assert res.stdout == (HERE / 'cocci' / (case + '.res')).read_text()


def test_a_copy_without_its_module_says_so(tmp_path):
    shutil.copy(COCCI, tmp_path)
    shutil.copy(HERE / 'cocci' / (CASES[0] + '.c'), tmp_path)
    res = subprocess.run(
        ['spatch', '--very-quiet', '--no-includes', '--sp-file',
         'kmap_local.cocci', CASES[0] + '.c'],
        cwd=tmp_path, capture_output=True, text=True)
    assert res.returncode != 0
    assert ('its module directory kmap_local is not beside it in %s'
            % tmp_path) in res.stderr


PUT_HELPER_H = """\
/* SPDX-License-Identifier: GPL-2.0-only */
static inline void dir_put_page(struct page *page)
{
	kunmap(page);
	put_page(page);
}
"""

USES_HELPER_C = """\
// SPDX-License-Identifier: GPL-2.0-only
#include <linux/highmem.h>
#include "dir.h"

int root_ok(struct page *page)
{
	char *d = kmap(page);
	int ok = d[0] != 0;

	dir_put_page(page);
	return ok;
}
"""


def test_spatch_workers_and_unseen_local_headers(tmp_path):
    """As make coccicheck runs it (--jobs, one file at a time): every
    worker's sites are printed, and a site whose unmap helper may be in
    a local header spatch did not read says so instead of calling it
    cross-thread; given the header with the file (--file-groups, as make
    convert does) the helper is found and the site is thread-local."""
    d = tmp_path / 'fs' / 'demo'
    d.mkdir(parents=True)
    (d / 'dir.h').write_text(PUT_HELPER_H)
    (d / 'a.c').write_text(USES_HELPER_C)
    (d / 'b.c').write_text(USES_HELPER_C.replace('root_ok', 'other_ok'))
    res = subprocess.run(
        ['spatch', '--very-quiet', '--no-includes', '-D', 'report',
         '--sp-file', str(COCCI), '--dir', 'fs/demo', '--jobs', '2',
         '--chunksize', '1'],
        cwd=tmp_path, capture_output=True, text=True, check=True)
    lines = sorted(res.stdout.splitlines())
    assert [l.split(':')[0] for l in lines] == ['fs/demo/a.c', 'fs/demo/b.c']
    for line in lines:
        assert 'site is nesting-sensitive' in line
        assert 'its local headers (fs/demo/dir.h) were not analysed with ' \
            'it, so whether one unmaps it is not known' in line
    groups = tmp_path / 'groups'
    groups.write_text('fs/demo/a.c\n./fs/demo/dir.h\n')
    res = subprocess.run(
        ['spatch', '--very-quiet', '--no-includes', '-D', 'report',
         '--sp-file', str(COCCI), '--file-groups', str(groups)],
        cwd=tmp_path, capture_output=True, text=True, check=True)
    assert res.stdout.startswith(
        'fs/demo/a.c:7:12: kmap() site is thread-local')


def test_context_and_org_modes(tmp_path):
    """make coccicheck's other modes: context stars every site's call,
    org writes one TODO per site with report mode's words."""
    case = CASES[0]
    report = spatch(case).splitlines()
    context = spatch(case, '-D', 'context')
    starred = [l for l in context.splitlines()
               if l.startswith('-') and not l.startswith('---')]
    assert len(starred) == len(report) > 0
    assert all('kmap' in l for l in starred)
    org = spatch(case, '-D', 'org').splitlines()
    assert len(org) == len(report)
    for line, rep in zip(org, report):
        where, words = rep.split(': ', 1)
        path, lineno, col = where.split(':')
        assert line.startswith('* TODO [[view:%s::face=ovl-face1::linb=%s::'
                               'colb=%d::cole=' % (path, lineno,
                                                   int(col) - 1))
        assert line.endswith('][%s]]' % words)


def test_advice_cites_a_call_given_the_mapping_itself():
    """The caveat to advice on a path that may leave the mapping live
    names a call the address still holds the mapping at: the pointer call
    in the loop (the next pass, for the map at its end), not the one after
    the loop, whose argument then holds another buffer."""
    sites = [json.loads(line) for line in
             spatch('nesting', '-D', 'json').splitlines()
             if line.startswith('{') and '"walk_pages"' in line]
    assert len(sites) == 2
    for site in sites:
        assert "given to w->visit() at line 168 before that return" in \
            site['suggestion']
