# SPDX-License-Identifier: GPL-2.0-only
"""kmap-audit's command line and the kmap-audit-tree driver, on a tiny
fake kernel tree (no real kernel needed): flags from a prepared build
directory or from compile_commands.json, output formats, exit codes, the
tree left untouched, and the --render merge of per-file outputs."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

TOP = Path(__file__).resolve().parents[2]
BIN = TOP / "analysis" / "build" / "kmap-audit"
TREE_SCRIPT = TOP / "analysis" / "kmap-audit-tree"
CASES = Path(__file__).resolve().parent / "cases"
MOCK_INCLUDE = Path(__file__).resolve().parent / "include"

LEAKY = """\
#include <linux/highmem.h>
int check(const char *p);

int read_block(struct page *page)
{
	char *p = kmap_local_page(page);

	if (check(p))
		return -EIO;
	kunmap_local(p);
	return 0;
}
"""

CLEAN = """\
#include <linux/highmem.h>
#include "local.h"

int read_ok(struct page *page)
{
	char *p = kmap_local_page(page);
	int r = LOCAL_OFFSET + p[0];

	kunmap_local(p);
	return r;
}
"""


@pytest.fixture(scope="module", autouse=True)
def built():
    subprocess.run(["make", "-s", "analysis"], cwd=TOP, check=True)


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """The audit's caches (configurations, results) of a test are its
    own."""
    monkeypatch.setenv("KMAPCONV_CACHE", str(tmp_path / "cache"))


def run(args, **kw):
    return subprocess.run([str(a) for a in args], capture_output=True,
                          text=True, **kw)


def snapshot(root):
    return sorted((str(p.relative_to(root)), p.stat().st_mtime_ns)
                  for p in root.rglob("*"))


@pytest.fixture()
def tree(tmp_path):
    """A fake kernel tree and a fake prepared O= directory for it."""
    src = tmp_path / "linux"
    (src / "include" / "linux").mkdir(parents=True)
    (src / "include" / "linux" / "highmem.h").write_text(
        (MOCK_INCLUDE / "linux" / "highmem.h").read_text())
    (src / "Makefile").write_text("VERSION = 6\nPATCHLEVEL = 12\n")
    (src / "drivers" / "demo" / "inc").mkdir(parents=True)
    (src / "drivers" / "demo" / "Makefile").write_text(
        "obj-y += leaky.o clean.o\nccflags-y += -I $(src)/inc\n")
    (src / "drivers" / "demo" / "inc" / "local.h").write_text(
        "#define LOCAL_OFFSET 4\n")
    (src / "drivers" / "demo" / "leaky.c").write_text(LEAKY)
    (src / "drivers" / "demo" / "clean.c").write_text(CLEAN)
    build = tmp_path / "build"
    (build / "kernel").mkdir(parents=True)
    (build / "include").mkdir()
    # What kbuild writes for kernel/bounds.c: the generic flags.
    (build / "kernel" / ".bounds.s.cmd").write_text(
        "savedcmd_kernel/bounds.s := clang-14 -Wp,-MMD,kernel/.bounds.s.d "
        f"-nostdinc -I{src}/include -I./include -D__KERNEL__ -Werror "
        "-std=gnu11 -DKBUILD_MODFILE='\"./bounds\"' "
        "-DKBUILD_MODNAME='\"bounds\"' -fverbose-asm -S -o "
        f"kernel/bounds.s {src}/kernel/bounds.c\n")
    return src, build


def test_tree_text_finding_and_exit_1(tree):
    src, build = tree
    before = snapshot(src)
    r = run([TREE_SCRIPT, "--ksrc", src, "--build", build,
             "drivers/demo/leaky.c", "drivers/demo/clean.c"])
    assert r.returncode == 1, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == (
        "drivers/demo/leaky.c:9:3: warning: the mapping from "
        "kmap_local_page() at line 6 is still live when the function "
        "returns here [kmap-leak]")
    assert lines[1] == "drivers/demo/leaky.c:6:12: note: mapped here"
    assert len(lines) == 2
    assert snapshot(src) == before


def test_tree_json_and_sarif(tree):
    src, build = tree
    r = run([TREE_SCRIPT, "--ksrc", src, "--build", build, "--format",
             "json", "drivers/demo/leaky.c"])
    assert r.returncode == 1
    (finding,) = [json.loads(l) for l in r.stdout.splitlines()]
    assert finding["file"] == "drivers/demo/leaky.c"
    assert (finding["line"], finding["column"]) == (9, 3)
    assert finding["function"] == "read_block"
    assert finding["kind"] == "leak"
    assert finding["related"] == [{"file": "drivers/demo/leaky.c",
                                   "line": 6, "column": 12,
                                   "message": "mapped here"}]
    r = run([TREE_SCRIPT, "--ksrc", src, "--build", build, "--format",
             "sarif", "drivers/demo/leaky.c"])
    sarif = json.loads(r.stdout)
    assert sarif["version"] == "2.1.0"
    (res,) = sarif["runs"][0]["results"]
    assert res["ruleId"] == "kmap-leak"
    loc = res["locations"][0]
    assert loc["physicalLocation"]["artifactLocation"]["uri"] == \
        "drivers/demo/leaky.c"
    assert loc["physicalLocation"]["region"] == {"startLine": 9,
                                                 "startColumn": 3}
    assert loc["logicalLocations"] == [{"name": "read_block",
                                        "kind": "function"}]


def test_tree_clean_file_exit_0_and_dir_flags(tree):
    src, build = tree
    r = run([TREE_SCRIPT, "--ksrc", src, "--build", build,
             "drivers/demo/clean.c"])
    # LOCAL_OFFSET comes from ccflags-y in the directory's Makefile.
    assert (r.returncode, r.stdout) == (0, ""), r.stderr
    flags = run([TREE_SCRIPT, "--ksrc", src, "--build", build,
                 "--print-flags", "drivers/demo/clean.c"]).stdout.split("\n")
    assert f"-I{src}/drivers/demo/inc" in flags
    assert f"-I{build}/include" in flags
    assert '-DKBUILD_MODNAME="clean"' in flags
    assert "-Werror" not in flags and not any("-MMD" in f for f in flags)


def test_tree_compile_commands(tree):
    src, _ = tree
    (src / "compile_commands.json").write_text(json.dumps([{
        "directory": str(src),
        "file": str(src / "drivers/demo/leaky.c"),
        "arguments": ["gcc", "-nostdinc", f"-I{src}/include",
                      "-fconserve-stack", "-c", "-o", "leaky.o",
                      str(src / "drivers/demo/leaky.c")],
    }]))
    before = snapshot(src)
    r = run([TREE_SCRIPT, "--ksrc", src, "--format", "json",
             "drivers/demo/leaky.c"])
    assert r.returncode == 1, r.stderr
    assert [json.loads(l)["kind"] for l in r.stdout.splitlines()] == ["leak"]
    assert snapshot(src) == before


@pytest.mark.parametrize("args, message", [
    (["--arch", "vax", "drivers/demo/leaky.c"], "--arch must be"),
    (["--format", "xml", "drivers/demo/leaky.c"], "--format must be"),
    (["drivers/demo/missing.c"], "no such file in the tree"),
    (["../etc/passwd"], "must be a path relative to the tree"),
    ([], "no FILE to audit"),
])
def test_tree_bad_input(tree, args, message):
    src, build = tree
    r = run([TREE_SCRIPT, "--ksrc", src, "--build", build] + args)
    assert r.returncode == 2
    assert r.stderr.startswith("kmap-audit-tree: ") and message in r.stderr
    assert len(r.stderr.splitlines()) == 1


def test_not_a_tree(tmp_path):
    r = run([TREE_SCRIPT, "--ksrc", tmp_path, "a.c"])
    assert r.returncode == 2 and "is not a kernel tree" in r.stderr


def test_binary_bad_usage():
    r = run([BIN, "--format", "yaml", "x.c"])
    assert r.returncode == 2
    assert r.stderr == "kmap-audit: --format must be text, json or sarif: yaml\n"
    r = run([BIN])
    assert r.returncode == 2 and "no file to audit" in r.stderr


def test_binary_missing_file_is_parse_error(tmp_path):
    r = run([BIN, "--format", "json", tmp_path / "nope.c"])
    assert r.returncode == 2
    (f,) = [json.loads(l) for l in r.stdout.splitlines()]
    assert f["kind"] == "parse-error" and "cannot read" in f["message"]


def test_render_merges_and_sorts():
    """Per-file JSON outputs, concatenated in any order, render to the
    same text as the expected text files."""
    jsonl = "".join(p.read_text() for p in sorted(CASES.glob("*.jsonl"),
                                                     reverse=True))
    r = run([BIN, "--render", "text"], input=jsonl)
    want = "".join(p.read_text() for p in sorted(CASES.glob("*.txt")))
    assert r.stdout == want
    assert r.returncode == 2        # one case is a parse error
    r = run([BIN, "--render", "json"], input=jsonl)
    assert r.stdout == "".join(p.read_text()
                               for p in sorted(CASES.glob("*.jsonl")))


def test_render_rejects_bad_json():
    r = run([BIN, "--render", "text"], input='{"file": "a.c", "line": 1\n')
    assert r.returncode == 2
    assert r.stderr.startswith("kmap-audit: bad findings on stdin: line 1:")


def test_results_cache_follows_headers(tree, tmp_path):
    """A result is reused only while every file the parse read is the
    same: a changed header is a new audit."""
    src, build = tree
    env = dict(os.environ)
    args = [TREE_SCRIPT, "--ksrc", src, "--build", build, "--format", "json",
            "drivers/demo/clean.c"]
    first = run(args, env=env)
    assert (first.returncode, first.stdout) == (0, ""), first.stderr
    entries = list((tmp_path / "cache" / "audit-results").rglob("*.json"))
    assert len(entries) == 1
    assert run(args, env=env).returncode == 0
    header = src / "drivers" / "demo" / "inc" / "local.h"
    header.write_text("#define LOCAL_OFFSET undeclared_here\n")
    changed = run(args, env=env)
    assert changed.returncode == 2
    assert sorted(json.loads(l)["kind"] for l in changed.stdout.splitlines()
                  ) == ["not-audited", "parse-error"]
    header.write_text("#define LOCAL_OFFSET 4\n")
    again = run(args, env=env)
    assert (again.returncode, again.stdout) == (0, "")


def test_not_audited_notes_do_not_fail(tree):
    """Code preprocessed out is named, as a note; the exit status counts
    defects only."""
    src, build = tree
    (src / "drivers" / "demo" / "opt.c").write_text(
        "#include <linux/highmem.h>\n"
        "#ifdef CONFIG_DEMO_OPTION\n"
        "void opt_copy(struct page *page, char *to)\n"
        "{\n"
        "\tchar *p = kmap_local_page(page);\n\n"
        "\tto[0] = p[0];\n"
        "}\n"
        "#endif\n")
    r = run([TREE_SCRIPT, "--ksrc", src, "--build", build, "--format",
             "json", "--stats", "drivers/demo/opt.c"])
    assert r.returncode == 0, r.stderr
    (note,) = [json.loads(l) for l in r.stdout.splitlines()]
    assert note["kind"] == "not-audited" and note["function"] == "opt_copy"
    assert "preprocessed out" in note["message"]
    assert ", 1 not audited" in r.stderr


def test_given_build_directory_is_not_written(tree):
    """--build DIR is the caller's: what is learnt about its objects is
    cached in the audit's own cache, nothing is written beside it."""
    src, build = tree
    before = snapshot(build.parent)
    r = run([TREE_SCRIPT, "--ksrc", src, "--build", build, "--format",
             "json", "drivers/demo/leaky.c"])
    assert r.returncode == 1, r.stderr
    after = [p for p in snapshot(build.parent) if not p[0].startswith(
        "cache")]
    assert after == [p for p in before if not p[0].startswith("cache")]


def test_option_config_for_code_under_its_option():
    """Code both x86 configurations leave out under #ifndef CONFIG_MMU is
    audited under a configuration without MMU; code under another option
    is not sent there."""
    sys.path.insert(0, str(TOP / "analysis"))
    import kmap_audit_tree
    text = ("int a;\n#ifndef CONFIG_MMU\nint f(void)\n{\n}\n#endif\n"
            "#ifdef CONFIG_FOO\nint g(void)\n{\n}\n#endif\n")
    note = {"kind": "not-audited", "line": 3,
            "message": "f() uses kmap_local_page() but was not audited: it "
            "is preprocessed out (#if) under this configuration"}
    assert kmap_audit_tree.option_config(text, [note]) == (
        "riscv", "nommu_virt_defconfig")
    assert kmap_audit_tree.option_config(text, [dict(note, line=8)]) is None
    broken = dict(note, message="f() uses kmap_local_page() but was not "
                  "audited: it contains a compile error")
    assert kmap_audit_tree.option_config(text, [broken]) is None
    # a branch for another architecture, reported from its own #elif
    arch = ("void f(void)\n{\n#if defined(CONFIG_X86)\n\tx();\n"
            "#elif defined(__powerpc__)\n\tkmap_local_page(p);\n#endif\n}\n")
    ranged = dict(note, line=5, message="lines 5-6 of f(), which use "
                  "kmap_local_page(), are preprocessed out (#if) under this "
                  "configuration: not audited")
    assert kmap_audit_tree.option_config(arch, [ranged]) == (
        "powerpc", "allmodconfig")
    # CONFIG_ARM names arm, not arm64 or an ARM_ option of every arch
    for cond, want in (("CONFIG_ARM", "arm"), ("CONFIG_ARM64", "arm64"),
                       ("CONFIG_ARM_SMMU", None)):
        t = "#ifdef %s\nint f(void)\n{\n}\n#endif\n" % cond
        got = kmap_audit_tree.option_config(t, [dict(note, line=2)])
        assert (got and got[0]) == want, cond


def test_named_defconfigs_are_the_architectures_own(tmp_path):
    from kerneltree import kbuild
    (tmp_path / "arch" / "riscv" / "configs").mkdir(parents=True)
    (tmp_path / "arch" / "riscv" / "configs" / "nommu_virt_defconfig"
     ).write_text("# CONFIG_MMU is not set\n")
    assert kbuild.config_exists(str(tmp_path), "riscv", "allmodconfig")
    assert kbuild.config_exists(str(tmp_path), "riscv",
                                "nommu_virt_defconfig")
    assert not kbuild.config_exists(str(tmp_path), "arm",
                                    "nommu_virt_defconfig")
    assert not kbuild.config_exists(str(tmp_path), "riscv",
                                    "../../x_defconfig")
    with pytest.raises(kbuild.KbuildError, match="arch/i386/configs"):
        kbuild.prepare(str(tmp_path), "i386", "nommu_virt_defconfig",
                       cache=str(tmp_path / "cache"))


def test_a_selftest_is_audited_through_the_file_that_includes_it(tmp_path):
    """kbuild compiles any .c it is asked for, so a selftest #included
    from the directory above is found by no Makefile naming it, and its
    includer by the #include's path relative to the includer."""
    sys.path.insert(0, str(TOP / "analysis"))
    import kmap_audit_tree
    from kerneltree import kbuild
    drv = tmp_path / "drivers" / "demo"
    (drv / "selftests").mkdir(parents=True)
    (drv / "Makefile").write_text(
        "obj-m += demo.o\ndemo-y := core.o selftests/helpers.o\n")
    (drv / "core.c").write_text(
        'int core;\n#if IS_ENABLED(CONFIG_DEMO_SELFTEST)\n'
        '#include "selftests/core.c"\n#endif\n')
    (drv / "other.c").write_text('#include "core.c"\n')
    (drv / "selftests" / "core.c").write_text("int check(void);\n")
    (drv / "selftests" / "helpers.c").write_text("int helper;\n")
    tree = str(tmp_path)
    assert kmap_audit_tree.includer(tree, "drivers/demo/selftests/core.c") \
        == "drivers/demo/core.c"
    # other.c's "core.c" is drivers/demo/core.c, not the selftest
    assert kmap_audit_tree.includer(tree, "drivers/demo/core.c") == \
        "drivers/demo/other.c"
    assert kmap_audit_tree.includer(
        tree, "drivers/demo/selftests/helpers.c") is None
    assert kbuild.named_by_makefiles(tree, "drivers/demo/core.c")
    assert kbuild.named_by_makefiles(tree, "drivers/demo/selftests/helpers.c")
    assert not kbuild.named_by_makefiles(tree,
                                         "drivers/demo/selftests/core.c")
    assert not kbuild.named_by_makefiles(tree, "drivers/demo/other.c")


FAILING_MAKEFILE = """\
%config:
\t@echo tried >> $(COUNT)
\t@echo "fatal error: 'bits/libc-header-start.h' file not found" >&2
\t@exit 1
"""


def test_a_configuration_that_fails_is_tried_once_per_toolchain(
        tmp_path, monkeypatch):
    """A configuration that cannot be prepared here fails the same way on
    every run: the failure is remembered, word for word, until the
    installed packages change."""
    from kerneltree import kbuild
    tree = tmp_path / "tree"
    tree.mkdir()
    (tree / "Makefile").write_text(FAILING_MAKEFILE)
    count = tmp_path / "count"
    db = tmp_path / "status"
    db.write_text("Package: clang-14\n")
    monkeypatch.setenv("COUNT", str(count))
    monkeypatch.setattr(kbuild, "PACKAGE_DB", str(db))

    def attempt():
        with pytest.raises(kbuild.KbuildError) as e:
            kbuild.prepare(str(tree), "um", cache=str(tmp_path / "cache"))
        return str(e.value)

    first = attempt()
    assert "libc-header-start.h" in first
    assert "make ARCH=um allmodconfig failed: " in first
    assert attempt() == first
    assert count.read_text().count("tried") == 1
    db.write_text("Package: clang-14\nPackage: libc6-dev-i386\n")
    assert attempt() == first
    assert count.read_text().count("tried") == 2


def test_findings_say_why_their_own_configuration_was_not_used():
    sys.path.insert(0, str(TOP / "analysis"))
    import kmap_audit_tree
    from kerneltree import kbuild
    note = {"file": "arch/um/a.c", "line": 3, "column": 1,
            "function": "f", "kind": "not-audited",
            "message": "f() uses kmap_local_page() but was not audited: it "
                       "contains a compile error under this configuration"}
    leak = dict(note, kind="leak", message="mapping leaks")
    out = "".join(json.dumps(f) + "\n" for f in (note, leak))
    error = kbuild.KbuildError("make ARCH=um allmodconfig prepare failed: "
                               "'bits/libc-header-start.h' file not found")
    rc, text, _ = kmap_audit_tree.unprepared((1, out, ""), error)
    # The log's place and the tree's are this machine's, not the code's.
    placed = kbuild.KbuildError(
        "make ARCH=um allmodconfig prepare failed: /src/linux/scripts/"
        "Makefile.clang:18: *** no target (log: /cache/um/prepare.log)")
    _, moved, _ = kmap_audit_tree.unprepared((1, out, ""), placed,
                                             ["/src/linux"])
    assert kmap_audit_tree.findings(moved)[0]["message"].endswith(
        "prepared here: make ARCH=um allmodconfig prepare failed: "
        "scripts/Makefile.clang:18: *** no target")
    got = kmap_audit_tree.findings(text)
    assert rc == 1 and len(got) == 2
    assert got[0]["message"].endswith(
        "under this configuration; the configuration that builds it could "
        "not be prepared here: make ARCH=um allmodconfig prepare failed: "
        "'bits/libc-header-start.h' file not found")
    assert got[1] == leak


def test_an_architecture_clang_cannot_build_is_named():
    sys.path.insert(0, str(TOP / "analysis"))
    import kmap_audit_tree
    assert kmap_audit_tree.arch_without_config("arch/sh/mm/cache.c") == "sh"
    assert kmap_audit_tree.arch_without_config("arch/xtensa/a/b.c") == \
        "xtensa"
    for path in ("arch/x86/mm/init.c", "arch/arm/mm/dma.c",
                 "arch/um/kernel/a.c", "drivers/sh/foo.c", "arch/Kconfig"):
        assert kmap_audit_tree.arch_without_config(path) is None, path
