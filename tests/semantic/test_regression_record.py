# SPDX-License-Identifier: GPL-2.0-only
"""The regression record of judged real sites: convert over the files of
tests/semantic/regression/judged-6.12.tsv, unpacked at test time from Debian's
linux-source-6.12 (never copied into the project), must take each
judged site's action with the judged evidence.  Rerun when rules change;
a new judgement is a new line.
"""
import json
import pathlib
import shutil

import pytest

from kmapconv import ksrc
from testlib import TARBALL_612, needs, needs_file, run_module

HERE = pathlib.Path(__file__).resolve().parent

RECORD = HERE / 'regression' / 'judged-6.12.tsv'

pytestmark = [pytest.mark.real_kernel,
              needs_file(TARBALL_612, 'linux-source-6.12'),
              needs(shutil.which('spatch'), 'spatch is missing (Debian '
                    'package coccinelle)')]


def judged():
    rows = []
    for line in RECORD.read_text().splitlines():
        if line.startswith('#') or not line.strip():
            continue
        f, fn, at, action, texts, why = line.split('\t')
        rows.append(dict(file=f, function=fn, line=int(at), action=action,
                         texts=texts.split(';;'), why=why))
    return rows


@pytest.fixture(scope='module')
def sites(tmp_path_factory):
    files = sorted(set(r['file'] for r in judged()))
    # Local headers a .c file includes are part of its spatch group.
    tree = ksrc.unpack_subset(TARBALL_612, None,
                              files + ['include/linux/highmem.h'])
    out = tmp_path_factory.mktemp('out') / 'all'
    proc = run_module('kmapconv', 'convert', '--no-verify', '--ksrc', tree, '--subsys', '.',
                      '--out', out, '--jobs', '2')
    assert proc.returncode == 0, proc.stderr
    return dict(((s['file'], s['function'], s['line']), s)
                for s in map(json.loads, (out / 'sites.jsonl').open()))


@pytest.mark.parametrize('row', judged(),
                         ids=lambda r: '%s:%s' % (r['file'], r['function']))
def test_judged_site(sites, row):
    site = sites.get((row['file'], row['function'], row['line']))
    assert site, 'no site at %(file)s:%(line)d in %(function)s()' % row
    evidence = ' '.join(site['reasons'] + site.get('rewrite', []) +
                        [site.get('suggestion') or ''])
    assert site['action'] == row['action'], (row['why'], evidence)
    for text in row['texts']:
        if text.startswith('!'):
            assert text[1:] not in evidence, (row['why'], evidence)
        elif text != '-':
            assert text in evidence, (row['why'], evidence)
