# SPDX-License-Identifier: GPL-2.0-only
"""The per-file results cache (tools/kmapconv/cache.py), end to end.

spatch is wrapped by a shim on PATH that logs the files of every batch
it is given, so the tests see exactly which files a run analysed; the
results are compared with an uncached run of the same tree.  Nothing
here looks at timings (bench.py measures those).
"""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_driver import FAKE_TREE, REPO, TEST_COCCI, make_tree

REAL_SPATCH = "/usr/bin/spatch"

# Logs the groups file of each batch ("--file-groups F"), then runs the
# real spatch.  With SHIM_HANG_AFTER=n, batch n+1 hangs instead (a run
# that is then killed); its pid goes to $SPATCH_LOG.hung.
SHIM = r"""#!/bin/sh
prev=
for a; do
	if [ "$prev" = --file-groups ]; then
		n=$(grep -c '^==' "$SPATCH_LOG" 2>/dev/null)
		if [ -n "$SHIM_HANG_AFTER" ] && [ "${n:-0}" -ge "$SHIM_HANG_AFTER" ]; then
			echo $$ > "$SPATCH_LOG.hung"
			exec sleep 600
		fi
		{ echo "=="; cat "$a"; } >> "$SPATCH_LOG"
	fi
	prev=$a
done
exec %s "$@"
""" % REAL_SPATCH

CANDIDATES = sorted(p for p in FAKE_TREE if p.endswith((".c", ".h")))


@pytest.fixture
def env(tmp_path):
    shim_dir = tmp_path / "shim"
    shim_dir.mkdir()
    (shim_dir / "spatch").write_text(SHIM)
    (shim_dir / "spatch").chmod(0o755)
    return dict(os.environ, PYTHONPATH=str(REPO / "tools"),
                PATH="%s:%s" % (shim_dir, os.environ["PATH"]),
                SPATCH_LOG=str(tmp_path / "spatch.log"))


@pytest.fixture
def setup(tmp_path, env):
    tree = make_tree(tmp_path / "ksrc")
    cocci = tmp_path / "rules" / "test.cocci"
    cocci.parent.mkdir()
    cocci.write_text(TEST_COCCI)
    return tree, cocci, tmp_path / "cache"


def argv(tree, out, cocci, cache, *extra):
    return [sys.executable, "-m", "kmapconv", "convert", "--no-verify", "--ksrc", str(tree),
            "--subsys", ".", "--out", str(out), "--cocci", str(cocci),
            "--cache-dir", str(cache)] + [str(e) for e in extra]


def convert(env, *args):
    open(env["SPATCH_LOG"], "w").close()
    proc = subprocess.run(argv(*args), cwd=REPO, env=env, text=True,
                          stdin=subprocess.DEVNULL, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    return proc


def batches_logged(env):
    """The files of each spatch batch of the last run (not the ./context
    headers), one list per batch."""
    text = Path(env["SPATCH_LOG"]).read_text()
    return [[l for l in chunk.splitlines()
             if l.strip() and not l.startswith("./")]
            for chunk in text.split("==\n")[1:]]


def analysed(env):
    return sorted(f for batch in batches_logged(env) for f in batch)


def outputs(out):
    return {name: (out / name).read_text()
            for name in ("sites.jsonl", "kmap-local.patch", "report.md")}


def uncached(env, tree, cocci, tmp_path):
    """What a run without the cache writes (the reference)."""
    out = tmp_path / "reference"
    convert(env, tree, out, cocci, tmp_path / "unused", "--no-cache")
    assert not (tmp_path / "unused").exists()
    return outputs(out)


def entries(cache):
    return sorted((cache / "results").glob("*/*/*.json"))


def test_rerun_of_unchanged_tree_runs_no_spatch(setup, env, tmp_path):
    tree, cocci, cache = setup
    out = tmp_path / "out"
    convert(env, tree, out, cocci, cache)
    assert analysed(env) == CANDIDATES
    first = outputs(out)
    assert len(entries(cache)) == len(CANDIDATES)

    proc = convert(env, tree, out, cocci, cache)
    assert batches_logged(env) == []
    assert outputs(out) == first == uncached(env, tree, cocci, tmp_path)
    assert "7 sites" in proc.stdout


def test_only_the_edited_file_is_redone(setup, env, tmp_path):
    tree, cocci, cache = setup
    foo = tree / "drivers" / "foo"
    (foo / "hl.h").write_text("static inline void *hl_map(struct page *p)"
                              "\n{\n\treturn kmap(p);\n}\n")
    (foo / "user.c").write_text('#include "hl.h"\nvoid tl_u(struct page '
                                '*p)\n{\n\tchar *v = kmap(p);\n'
                                '\tkunmap(p);\n}\n')
    out = tmp_path / "out"
    convert(env, tree, out, cocci, cache)

    # A new function in one .c file: that file alone, with its new site.
    with open(foo / "tl.c", "a") as f:
        f.write("\nvoid ct_later(struct page *page)\n{\n"
                "\tglobal = kmap(page);\n}\n")
    convert(env, tree, out, cocci, cache)
    assert analysed(env) == ["drivers/foo/tl.c"]
    sites = [json.loads(l) for l in (out / "sites.jsonl").open()]
    assert ("drivers/foo/tl.c", "ct_later", "cross-thread") in [
        (s["file"], s["function"], s["class"]) for s in sites]

    # A header is part of the group of each file including it: both go.
    with open(foo / "hl.h", "a") as f:
        f.write("/* edited */\n")
    convert(env, tree, out, cocci, cache)
    assert analysed(env) == ["drivers/foo/hl.h", "drivers/foo/user.c"]
    assert outputs(out) == uncached(env, tree, cocci, tmp_path)


def test_other_rule_set_is_not_used(setup, env, tmp_path):
    tree, cocci, cache = setup
    out = tmp_path / "out"
    convert(env, tree, out, cocci, cache)
    [ruleset_dir] = (cache / "results").iterdir()

    # A forged entry at the right place but made under another rule set
    # (it claims another class): ignored, the file is analysed again.
    victim = None
    for path in entries(cache):
        entry = json.loads(path.read_text())
        if entry["file"] == "drivers/bar/ct.c":
            victim = path
            entry["ruleset"] = "0" * 64
            for record in entry["records"]:
                record["class"] = "thread-local"
            path.write_text(json.dumps(entry))
    assert victim is not None
    convert(env, tree, out, cocci, cache)
    assert analysed(env) == ["drivers/bar/ct.c"]
    assert '"cross-thread"' in (out / "sites.jsonl").read_text()
    assert json.loads(victim.read_text())["ruleset"] != "0" * 64

    # Any change to the rule files is a new rule set: everything again,
    # and the old results stay apart.
    with open(cocci, "a") as f:
        f.write("// a comment is a change too\n")
    (cocci.parent / "other.cocci").write_text("// beside it: counts\n")
    convert(env, tree, out, cocci, cache)
    assert analysed(env) == CANDIDATES
    assert len(list((cache / "results").iterdir())) == 2
    assert ruleset_dir.is_dir()


def test_killed_run_resumes_where_it_stopped(setup, env, tmp_path):
    tree, cocci, cache = setup
    # One job, many small files, however light: batches.BATCHES_PER_JOB
    # (2) batches, one after the other.
    for i in range(12):
        (tree / "drivers" / "foo" / ("many%02d.c" % i)).write_text(
            "void tl_m%d(struct page *p)\n{\n\tchar *v = kmap(p);\n"
            "\tkunmap(p);\n}\n" % i)
    everything = sorted(CANDIDATES + ["drivers/foo/many%02d.c" % i
                                      for i in range(12)])
    out = tmp_path / "out"
    open(env["SPATCH_LOG"], "w").close()
    proc = subprocess.Popen(argv(tree, out, cocci, cache, "--jobs", 1,
                                 "--min-batch-kb", 0),
                            cwd=REPO, env=dict(env, SHIM_HANG_AFTER="1"),
                            stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL,
                            start_new_session=True)
    hung = Path(env["SPATCH_LOG"] + ".hung")
    try:
        # Wait for batch 2 to hang and the finished one to be kept.
        deadline = time.monotonic() + 120
        done = []
        while time.monotonic() < deadline:
            done = [f for batch in batches_logged(env) for f in batch]
            if hung.exists() and len(entries(cache)) == len(done) == \
                    len(set(done)) and done:
                break
            assert proc.poll() is None, "the run ended by itself"
            time.sleep(0.2)
        else:
            pytest.fail("no batch finished and was kept in time")
        assert 0 < len(done) < len(everything)
    finally:
        # A crash: the driver, parallel and spatch die without warning.
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        if hung.exists():
            try:
                os.kill(int(hung.read_text()), signal.SIGKILL)
            except (ProcessLookupError, ValueError):
                pass
    assert not out.exists()

    convert(env, tree, out, cocci, cache, "--jobs", 1)
    assert analysed(env) == sorted(set(everything) - set(done))
    assert outputs(out) == uncached(env, tree, cocci, tmp_path)


def test_old_rule_sets_are_pruned(tmp_path):
    from kmapconv import cache
    root = tmp_path / "results"
    now = time.time()
    for i in range(40):
        d = root / ("r%02d" % i)
        d.mkdir(parents=True)
        (d / "entry.json").write_text("{}")
        os.utime(d, (now - 100 + i, now - 100 + i))     # r39 newest
    stale = root / "stale"
    stale.mkdir()
    os.utime(stale, (now - 40 * 86400, now - 40 * 86400))
    kept = cache.ResultCache("f" * 64, 120, top=str(tmp_path))
    left = sorted(p.name for p in root.iterdir())
    # This rule set and the 31 used last; nothing 30 days unused.
    assert len(left) == cache.KEEP_RULESETS
    assert kept.dir.endswith("f" * 32) and ("f" * 32) in left
    assert [n for n in left if n != "f" * 32] == [
        "r%02d" % i for i in range(9, 40)]
