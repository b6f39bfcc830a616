# SPDX-License-Identifier: GPL-2.0-only
"""Bad or odd input on a whole-tree run: one clear line and exit 2, or
handled and reported; the run never hangs and never drops a file.

Covered elsewhere: a missing KSRC, KSRC a file or not a kernel tree,
SUBSYS missing or outside KSRC (by "..", an absolute path or a symlink)
in test_driver.py; a file that crashes spatch, and a timeout, in
test_driver.py too.  Here: an unreadable KSRC, SUBSYS or file, CRLF line
ends, bytes that are not UTF-8, a 10 MB generated file, symlink loops,
and a file that times out in a batch being retried alone once.
"""

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from test_cache import SHIM
from testlib import run_module
from test_driver import (FAKE_TREE, REPO, TEST_COCCI, assert_one_line_error,
                         make_tree)

REWRITE = REPO / "tests" / "semantic" / "rewrite"


def kmapconv(*args, env=None, user=None, timeout=300):
    return run_module("kmapconv", *args, env=env, user=user,
                      timeout=timeout)


def convert(tree, out, *extra, subsys=".", cocci=None, **kw):
    return kmapconv("convert", "--no-verify", "--ksrc", tree, "--subsys", subsys,
                    "--out", out, "--no-cache",
                    *(["--cocci", cocci] if cocci else []), *extra, **kw)


@pytest.fixture
def cocci(tmp_path):
    path = tmp_path / "test.cocci"
    path.write_text(TEST_COCCI)
    return path


@pytest.fixture
def tree(tmp_path):
    return make_tree(tmp_path / "ksrc")


def sites(out):
    return [json.loads(l) for l in (out / "sites.jsonl").open()]


# --- unreadable input ---------------------------------------------------------

@pytest.fixture
def shared_tmp():
    """A directory another user can reach (pytest's tmp_path is 0700)."""
    path = Path(tempfile.mkdtemp(prefix="kmapconv-robust-"))
    path.chmod(0o755)
    yield path
    for dirpath, dirnames, _ in os.walk(path):
        for d in dirnames:
            os.chmod(os.path.join(dirpath, d), 0o755)
    shutil.rmtree(path)


def unprivileged(shared):
    """Run as a user that file modes apply to: root reads everything."""
    (shared / "home").mkdir()
    (shared / "home").chmod(0o777)
    env = dict(os.environ, KMAPCONV_CACHE=str(shared / "home"),
               HOME=str(shared / "home"))
    return {"env": env, "user": "nobody" if os.geteuid() == 0 else None}


def writable_out(shared):
    (shared / "outs").mkdir()
    (shared / "outs").chmod(0o777)
    return shared / "outs" / "out"


@pytest.mark.parametrize("which", ["KSRC", "SUBSYS"])
def test_unreadable_ksrc_or_subsys(shared_tmp, cocci, which):
    tree = make_tree(shared_tmp / "ksrc")
    shutil.copy(cocci, shared_tmp / "test.cocci")
    out = writable_out(shared_tmp)
    run_as = unprivileged(shared_tmp)
    locked = tree if which == "KSRC" else tree / "drivers" / "foo"
    locked.chmod(0)
    proc = convert(tree, out, subsys="drivers/foo" if which == "SUBSYS"
                   else ".", cocci=shared_tmp / "test.cocci", **run_as)
    assert_one_line_error(proc)
    assert "is not readable (permission denied)" in proc.stderr
    assert which in proc.stderr
    assert not out.exists()


def test_unreadable_file_is_reported(shared_tmp, cocci):
    tree = make_tree(shared_tmp / "ksrc")
    shutil.copy(cocci, shared_tmp / "test.cocci")
    out = writable_out(shared_tmp)
    (tree / "drivers" / "foo" / "ns.c").chmod(0)
    proc = convert(tree, out, cocci=shared_tmp / "test.cocci",
                   **unprivileged(shared_tmp))
    assert proc.returncode == 0, proc.stderr
    assert "drivers/foo/ns.c" not in {s["file"] for s in sites(out)}
    section = (out / "report.md").read_text().split(
        "## Unreadable files (skipped)")[1]
    assert "- `drivers/foo/ns.c`: Permission denied" in section


# --- symlink loops --------------------------------------------------------------

@pytest.mark.parametrize("which", ["KSRC", "SUBSYS"])
def test_symlink_loop_as_input(tree, tmp_path, cocci, which):
    if which == "KSRC":
        (tmp_path / "loop").symlink_to(tmp_path / "loop")
        proc = convert(tmp_path / "loop", tmp_path / "out", cocci=cocci)
    else:
        (tree / "drivers" / "loop").symlink_to("loop")
        proc = convert(tree, tmp_path / "out", subsys="drivers/loop",
                       cocci=cocci)
    assert_one_line_error(proc)
    assert "Too many levels of symbolic links" in proc.stderr
    assert not (tmp_path / "out").exists()


def test_symlink_loops_inside_the_tree(tree, tmp_path, cocci):
    plain = tmp_path / "plain"
    assert convert(tree, plain, cocci=cocci).returncode == 0
    (tree / "drivers" / "foo" / "again").symlink_to("..")      # a cycle
    (tree / "drivers" / "foo" / "self.c").symlink_to("self.c")  # a loop
    (tree / "drivers" / "bar" / "a.h").symlink_to("b.h")
    (tree / "drivers" / "bar" / "b.h").symlink_to("a.h")
    # A local #include of a looping header must not trip anything up.
    with open(tree / "drivers" / "bar" / "ct.c", "a") as f:
        f.write('#include "a.h"\n')
    out = tmp_path / "out"
    proc = convert(tree, out, cocci=cocci, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert sites(out) == sites(plain)


# --- odd files -------------------------------------------------------------------

def _real_tree(root, files):
    return make_tree(root, dict({"Makefile": FAKE_TREE["Makefile"],
                                 "Kconfig": FAKE_TREE["Kconfig"]}, **files))


def _apply(tree, out, tmp_path):
    """A copy of tree with OUT's patch applied (patch -p1), as bytes."""
    copy = tmp_path / "applied"
    shutil.copytree(tree, copy)
    subprocess.run(["patch", "-p1", "--batch", "-d", str(copy), "-i",
                    str(out / "kmap-local.patch")], check=True,
                   capture_output=True)
    return copy


def test_crlf_and_latin1_files(tmp_path):
    atomic = (REWRITE / "atomic.c").read_bytes()
    crlf = atomic.replace(b"\n", b"\r\n")
    # Latin-1 in a comment, and on a line in a hunk of the patch.
    latin1 = atomic.replace(b"Golden input", b"J\xf6rg's golden input",
                            1).replace(b"\tif (bad) {",
                                       b"\tif (bad) { /* \xe9t\xe9 */", 1)
    assert latin1.count(b"\xe9t\xe9") == 1
    tree = _real_tree(tmp_path / "ksrc", {})
    for name, data in (("crlf", crlf), ("latin1", latin1),
                       ("plain", atomic)):
        (tree / "drivers" / name).mkdir(parents=True)
        (tree / "drivers" / name / "atomic.c").write_bytes(data)

    out = tmp_path / "out"
    proc = convert(tree, out)
    assert proc.returncode == 0, proc.stderr
    per_file = {}
    for s in sites(out):
        per_file.setdefault(s["file"].split("/")[1], []).append(s)

    def where(name):
        return [(s["line"], s["column"], s["class"])
                for s in per_file[name]]
    # Same sites, same lines and classes, whatever the line ends or bytes.
    assert where("crlf") == where("latin1") == where("plain")
    plain_actions = [s["action"] for s in per_file["plain"]]
    assert "rewritten" in plain_actions
    assert [s["action"] for s in per_file["latin1"]] == plain_actions

    # CRLF: spatch's rewrite would mix line ends, so it is held back and
    # each site it would have rewritten says so, with the edits to make.
    for plain, dos in zip(per_file["plain"], per_file["crlf"]):
        if plain["action"] != "rewritten":
            assert dos["action"] == plain["action"]
            continue
        assert dos["action"] == "manual"
        assert "CRLF" in dos["reasons"][-1]
        for edit in plain["rewrite"]:
            assert edit in dos["suggestion"]
    patch = (out / "kmap-local.patch").read_bytes()
    assert b"drivers/crlf" not in patch
    assert "drivers/crlf/atomic.c" in (out / "report.md").read_text().split(
        "## Sites to convert by hand")[1]

    # Latin-1 bytes: the patch applies byte for byte.
    applied = _apply(tree, out, tmp_path)
    want = (REWRITE / "atomic.expected.c").read_bytes()
    assert (applied / "drivers/plain/atomic.c").read_bytes() == want
    want_latin1 = want.replace(
        b"Golden input", b"J\xf6rg's golden input", 1).replace(
        b"\tif (bad) {", b"\tif (bad) { /* \xe9t\xe9 */", 1)
    assert (applied / "drivers/latin1/atomic.c").read_bytes() == want_latin1
    assert (applied / "drivers/crlf/atomic.c").read_bytes() == crlf
    # So does its patch of the series, on its own.
    [mail] = (out / "series").glob("0*-latin1*.patch")
    assert b"\xe9t\xe9" in mail.read_bytes()
    alone = tmp_path / "alone"
    shutil.copytree(tree, alone)
    subprocess.run(["patch", "-p1", "--batch", "-d", str(alone), "-i",
                    str(mail)], check=True, capture_output=True)
    assert (alone / "drivers/latin1/atomic.c").read_bytes() == want_latin1

    # The cache keeps those bytes too: a cached rerun, the same patch.
    cached = tmp_path / "cached"
    for _ in range(2):
        proc = kmapconv("convert", "--no-verify", "--ksrc", tree, "--subsys", ".",
                        "--out", cached, "--cache-dir", tmp_path / "cache")
        assert proc.returncode == 0, proc.stderr
        assert (cached / "kmap-local.patch").read_bytes() == patch
        assert (cached / "sites.jsonl").read_text() == \
            (out / "sites.jsonl").read_text()


def test_huge_generated_file_is_listed_not_analysed(tree, tmp_path, cocci):
    blob = tree / "drivers" / "foo" / "blob.c"
    with open(blob, "w") as f:
        f.write("static const unsigned char fw[] = {\n")
        line = "\t" + "0x5a, " * 15 + "\n"
        while f.tell() < 10 * 1000 * 1000:
            f.write(line * 1000)
        f.write("};\n\nvoid tl_fw(struct page *p)\n{\n"
                "\tchar *v = kmap(p);\n\tkunmap(p);\n}\n")
    out = tmp_path / "out"
    proc = convert(tree, out, cocci=cocci, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "drivers/foo/blob.c" not in {s["file"] for s in sites(out)}
    assert len(sites(out)) == 7         # every other file as usual
    report = (out / "report.md").read_text()
    failed = report.split("### Files spatch failed on")[1].split("###")[0]
    assert ("- `drivers/foo/blob.c`: not analysed: 10.0 MB, over the "
            "4.0 MB limit (--max-size)") in failed
    assert "`char *v = kmap(p);`" in failed      # its call, by line
    assert "1 files spatch could not analyse" in proc.stdout


# The test rules, with a rule that spins in slow_* functions: spatch's
# own --timeout fires (its "EXN: ...Timeout in FILE"), as on a file it
# cannot finish, but in 3 s and whatever the machine's speed.
SLOW_COCCI = TEST_COCCI.replace('''if f.startswith("crash_"):''', '''import time
if f.startswith("slow_"):
    t0 = time.time()
    while time.time() < t0 + 3:
        pass
if f.startswith("crash_"):''')


def _slow_file_in_a_batch(tree, tmp_path, rules, slow_name, *options):
    """Convert drivers/foo with one job and 9 files (4 batches, so the
    slow file shares one) under rules; check the slow file was run in its
    batch, then alone, and listed as a timeout, and every other file
    kept its sites."""
    cocci = tmp_path / "rules.cocci"
    cocci.write_text(rules)
    shim = tmp_path / "shim"
    shim.mkdir()
    (shim / "spatch").write_text(SHIM)
    (shim / "spatch").chmod(0o755)
    env = dict(os.environ, PATH="%s:%s" % (shim, os.environ["PATH"]),
               SPATCH_LOG=str(tmp_path / "spatch.log"))
    foo = tree / "drivers" / "foo"
    for i in range(6):
        (foo / ("small%d.c" % i)).write_text(
            "void tl_s%d(struct page *p)\n{\n\tchar *v = kmap(p);\n"
            "\tkunmap(p);\n}\n" % i)
    (foo / slow_name).write_text(
        "void slow_one(struct page *p)\n{\n\tchar *v = kmap(p);\n"
        "\tkunmap(p);\n}\n")
    out = tmp_path / "out"
    proc = convert(tree, out, "--jobs", 1, "--timeout", 1, *options,
                   subsys="drivers/foo", cocci=cocci, env=env, timeout=240)
    assert proc.returncode == 0, proc.stderr
    batches = [[f for f in chunk.split() if not f.startswith("./")]
               for chunk in (tmp_path / "spatch.log").read_text()
               .split("==\n")[1:]]
    slow = "drivers/foo/" + slow_name
    with_slow = [b for b in batches if slow in b]
    assert len(with_slow) == 2                  # in its batch, then alone
    assert len(with_slow[0]) > 1 and with_slow[1] == [slow]
    report = (out / "report.md").read_text()
    assert "- `%s`: timeout" % slow in report
    files = {s["file"] for s in sites(out)}
    assert files == {"drivers/foo/tl.c", "drivers/foo/ns.c"} | {
        "drivers/foo/small%d.c" % i for i in range(6)}


@pytest.mark.slow
def test_timeout_in_a_batch_is_retried_alone_once(tree, tmp_path):
    assert SLOW_COCCI != TEST_COCCI
    _slow_file_in_a_batch(tree, tmp_path, SLOW_COCCI, "slow.c")


# The test rules, with a finalize rule that never ends once it has seen
# a slow_* function: spatch's --timeout does not cover finalize (nor
# some other Python of a semantic patch), so only the driver's
# per-batch limit can stop it.
STUCK_COCCI = TEST_COCCI.replace('''@script:python depends on json@''', '''@initialize:python@
@@
SEEN = []

@script:python depends on json@''').replace('''import json
f = p[0].current_element''', '''import json
f = p[0].current_element
SEEN.append(f)''') + '''
@finalize:python@
@@
import time
while any(f.startswith("slow_") for f in SEEN):
    time.sleep(0.05)
'''


@pytest.mark.slow
def test_batch_stuck_beyond_spatch_timeout_is_stopped(tree, tmp_path):
    assert "SEEN.append(f)" in STUCK_COCCI
    # Batches of at most 3 files: a limit of 1 + 3 * (3 + 2) = 16 s, and
    # 1 + 3 * 3 = 10 s for a file alone.
    _slow_file_in_a_batch(tree, tmp_path, STUCK_COCCI, "stuck.c",
                          "--batch-slack", 3)
