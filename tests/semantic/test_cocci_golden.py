# SPDX-License-Identifier: GPL-2.0-only
"""Golden tests for semantic-patches/kmap_local.cocci.

Each tests/semantic/cocci/<case>.c is run through spatch in report mode (as make
coccicheck would) and must print exactly <case>.res: every site with its
class and the evidence.  A failing case shows the diff.  JSON mode must
agree with report mode site for site.
"""
import json
import pathlib
import shutil
import subprocess

import pytest

from testlib import needs

HERE = pathlib.Path(__file__).resolve().parent
pytestmark = needs(shutil.which('spatch'), 'spatch is missing (Debian package '
                   'coccinelle)')
COCCI = HERE.parents[1] / 'semantic-patches' / 'kmap_local.cocci'
CASES = sorted(p.stem for p in (HERE / 'cocci').glob('*.c'))


def spatch(case, *extra):
    res = subprocess.run(
        ['spatch', '--very-quiet', '--no-includes', '--sp-file', str(COCCI),
         *extra, case + '.c'],
        cwd=HERE / 'cocci', capture_output=True, text=True, check=True)
    return res.stdout


@pytest.mark.parametrize('case', CASES)
def test_report_matches_golden(case):
    expected = (HERE / 'cocci' / (case + '.res')).read_text()
    assert spatch(case) == expected


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
