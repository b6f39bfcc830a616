# SPDX-License-Identifier: GPL-2.0-only
"""kmap-audit-tree: audits files of a kernel tree with kbuild's own flags.

  kmap-audit-tree --ksrc TREE [--arch i386|x86_64|<arch>]
                  [--config allmodconfig|defconfig|<arch's own>_defconfig]
                  [--format text|json|sarif] [--jobs N]
                  [--flags-cache-key KEY | --build DIR] [--print-flags] [--stats] FILE...

FILEs are paths relative to TREE.  Each is audited with the exact
command kbuild compiles its object with (tools/kerneltree/kbuild.py: one
prepared configuration per tree, architecture and configuration, in the
cache), or with TREE/compile_commands.json when the tree has one.

The configuration is i386 allmodconfig (HIGHMEM, DEBUG_KMAP_LOCAL), the
one where kmap_local_page() really maps; a file under arch/<a>/ is
audited under <a>'s own configuration (kbuild's LLVM=1).  A file that
does not parse there, or has functions that are not audited, is audited
again under x86_64 and the findings are merged; code still preprocessed
out under an #if naming an option or architecture in OPTION_CONFIGS
(CONFIG_MMU, CONFIG_PPC, __powerpc__, ...) is audited under a
configuration that builds it (riscv without MMU, powerpc, ...).
A .c file that kbuild does not compile on its own because another .c
#includes it is audited through that includer.  TREE is never written.

--flags-cache-key KEY: name the cached configuration by KEY instead of
  TREE (a patched copy of a tree reuses the original's configuration).
--build DIR: use DIR, a prepared O= directory of TREE.
--print-flags: print the compiler flags of the first FILE, one a line
  (the flags of every FILE are found and cached: a caller warms the
  cache for many files with one make run).
--stats: the number of files, functions, findings and functions not
  audited, on stderr.

Exit status: 0 no findings, 1 findings, 2 error.
"""

import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "tools"))

from kerneltree import audit, csource, kbuild  # noqa: E402

AUDIT = os.environ.get("KMAP_AUDIT", os.path.join(HERE, "build",
                                                  "kmap-audit"))
STATS = re.compile(r"^kmap-audit: (\d+) file\(s\), (\d+) function\(s\), "
                   r"(\d+) finding\(s\), (\d+) with parse errors, (\d+) "
                   r"function\(s\) not fully explored(?:, (\d+) not "
                   r"audited)?$")
SECOND_ARCH = "x86_64"
# Configurations that build what both x86 ones preprocess out, by what
# the #if around it names: (a regular expression for the option or the
# compiler's architecture macro, architecture, configuration), the first
# that matches.  A file with code still not audited under such a
# directive is audited there too (kbuild's LLVM=1, so no cross compiler
# is needed; the architectures whose configuration clang-14 prepares).
OPTION_CONFIGS = (
    (r"CONFIG_MMU", "riscv", "nommu_virt_defconfig"),
    (r"CONFIG_PPC\w*|__powerpc\w*__|__PPC\w*__", "powerpc", "allmodconfig"),
    (r"CONFIG_ARM64|__aarch64__", "arm64", "allmodconfig"),
    (r"CONFIG_ARM|__arm__", "arm", "allmodconfig"),
    (r"CONFIG_MIPS|__mips\w*", "mips", "allmodconfig"),
    (r"CONFIG_RISCV|__riscv", "riscv", "allmodconfig"),
)


class Usage(Exception):
    pass


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="kmap-audit-tree", add_help=True,
                                 description=__doc__.split("\n")[0])
    ap.add_argument("--ksrc")
    ap.add_argument("--arch", default=None)
    ap.add_argument("--format", default="text")
    ap.add_argument("--jobs", default=None)
    ap.add_argument("--config", default="allmodconfig")
    ap.add_argument("--flags-cache-key", dest="key")
    ap.add_argument("--build")
    ap.add_argument("--print-flags", action="store_true")
    ap.add_argument("--stats", action="store_true")
    ap.add_argument("files", nargs="*")
    ap.error = lambda message: (_ for _ in ()).throw(Usage(message))
    args = ap.parse_args(argv)
    if not args.ksrc:
        raise Usage("--ksrc is required")
    if not (os.path.isfile(os.path.join(args.ksrc, "Makefile"))
            and os.path.isdir(os.path.join(args.ksrc, "include", "linux"))):
        raise Usage("%s is not a kernel tree" % args.ksrc)
    args.ksrc = os.path.realpath(args.ksrc)
    if args.arch is not None and args.arch not in kbuild.ARCHES:
        raise Usage("--arch must be one of %s, not %s"
                    % (", ".join(kbuild.ARCHES), args.arch))
    if not kbuild.config_exists(args.ksrc, args.arch or kbuild.DEFAULT_ARCH,
                                args.config):
        raise Usage("--config must be allmodconfig, defconfig or one of the "
                    "architecture's own defconfigs, not %s" % args.config)
    if args.format not in ("text", "json", "sarif"):
        raise Usage("--format must be text, json or sarif, not %s"
                    % args.format)
    if not args.files:
        raise Usage("no FILE to audit")
    if not os.access(AUDIT, os.X_OK):
        raise Usage("%s is missing; run 'make analysis' first" % AUDIT)
    jobs = args.jobs or str(os.cpu_count() or 1)
    if not re.fullmatch(r"[1-9][0-9]*", jobs):
        raise Usage("--jobs must be a positive number")
    args.jobs = int(jobs)
    for f in args.files:
        if f.startswith("/") or ".." in f.split("/"):
            raise Usage("FILE must be a path relative to the tree: %s" % f)
        if not os.path.isfile(os.path.join(args.ksrc, f)):
            raise Usage("no such file in the tree: %s" % f)
    return args


def arch_dir(path):
    """<a> of a file under arch/<a>/, or None."""
    parts = path.split("/")
    return parts[1] if len(parts) > 2 and parts[0] == "arch" else None


def file_arch(path, default):
    """The architecture a file is built for: its own under arch/."""
    a = arch_dir(path)
    if a == "x86":
        return default if default in ("i386", "x86_64") else "i386"
    if a in kbuild.ARCHES:
        return a
    return default


def arch_without_config(path):
    """The architecture of a file under arch/<a>/ that has no
    configuration clang builds here (kbuild.ARCHES: arc, sh, xtensa,
    ...), or None."""
    a = arch_dir(path)
    return a if a not in (None, "x86") and a not in kbuild.ARCHES else None


_INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+\.c)"', re.M)


# How far up an includer may be: a selftest is #included from its own
# directory or from the one above ("selftests/x.c").
INCLUDER_LEVELS = 2


def includer(tree, path):
    """A .c file that #includes path, by a name relative to its own
    directory: one of path's directory or of the directory above it
    (the closest first), or None."""
    d = os.path.dirname(path)
    for _ in range(INCLUDER_LEVELS):
        try:
            entries = sorted(os.listdir(os.path.join(tree, d)))
        except OSError:
            return None
        for entry in entries:
            candidate = os.path.join(d, entry)
            if not entry.endswith(".c") or candidate == path:
                continue
            try:
                with open(os.path.join(tree, candidate),
                          errors="replace") as f:
                    text = f.read()
            except OSError:
                continue
            if any(os.path.normpath(os.path.join(d, m)) == path
                   for m in _INCLUDE.findall(text)):
                return candidate
        if not d:
            return None
        d = os.path.dirname(d)
    return None


class Flags:
    """Compiler flags per file for one architecture."""

    def __init__(self, args, arch, config=None):
        self.args = args
        self.arch = arch
        self.config = config or args.config
        self.compdb = (not args.build and os.path.isfile(
            os.path.join(args.ksrc, "compile_commands.json")))
        self.build = None

    def _build(self):
        if self.build is None:
            if self.args.build:
                self.build = kbuild.use_existing(self.args.build,
                                                 self.args.ksrc, self.arch)
            else:
                # A key naming the original of a copied tree: its
                # configuration is prepared from (and queried in) it.
                key = self.args.key
                src = key if key and os.path.isfile(
                    os.path.join(key, "Makefile")) else self.args.ksrc
                self.build = kbuild.prepare(src, self.arch,
                                            self.config, key=key,
                                            jobs=self.args.jobs)
        return self.build

    def of(self, paths):
        """path -> (flags, the file to parse, how the flags were found)."""
        if self.compdb:
            got = kbuild.compdb_flags(self.args.ksrc, paths)
            return {p: (got[p], p, "compile_commands.json") for p in paths}
        build = self._build()
        got = kbuild.object_flags(build, paths, jobs=self.args.jobs,
                                  tree=self.args.ksrc)
        # A file no Makefile names may be #included by another .c (a
        # selftest): audited through that file, whose flags and
        # definitions it is written for, even where kbuild would compile
        # it alone.
        via = {p: includer(self.args.ksrc, p) for p in paths
               if got[p] is None or
               not kbuild.named_by_makefiles(self.args.ksrc, p)}
        hosts = sorted({v for v in via.values() if v})
        host_flags = kbuild.object_flags(build, hosts, jobs=self.args.jobs,
                                         tree=self.args.ksrc) if hosts else {}
        out = {}
        for p in paths:
            h = via.get(p)
            if h and host_flags.get(h) is not None:
                out[p] = (kbuild.absolute_flags(build, host_flags[h]), h,
                          "kbuild, through %s" % h)
            elif got[p] is not None:
                out[p] = (kbuild.absolute_flags(build, got[p]), p, "kbuild")
            else:
                out[p] = (kbuild.approximate_flags(build, p,
                                                   self.args.ksrc), p,
                          "approximated")
        return out


def audit_one(tree, path, flags, parse):
    """(exit status, JSON lines, stderr) of kmap-audit on one file,
    from the results cache when nothing it read has changed."""
    cache = ResultsCache(tree, path, flags, parse)
    hit = cache.lookup()
    if hit:
        return hit
    with tempfile.NamedTemporaryFile("r", prefix="kmap-audit-deps-") as deps:
        argv = [AUDIT, "--stats", "--format", "json", "--name", path,
                "--deps", deps.name]
        if parse != path:
            argv += ["--via", os.path.join(tree, parse)]
        argv.append(os.path.join(tree, path))
        argv += ["--"] + flags
        proc = subprocess.run(argv, capture_output=True, text=True)
        result = proc.returncode, proc.stdout, proc.stderr
        cache.store(result, deps.read().splitlines())
    return result


class ResultsCache:
    """Audit results keyed by what determines them: the audit binary,
    the flags, the file's name, and the contents of every file the parse
    read (the file, its includer, each header), like the converter's
    results cache.  Paths inside the tree are taken relative to it, so a
    patched view of a tree made afresh for each run still hits for the
    files it did not change.  KMAP_AUDIT_CACHE=0 turns it off."""

    def __init__(self, tree, path, flags, parse):
        self.tree = tree
        self.off = os.environ.get("KMAP_AUDIT_CACHE") == "0"
        if self.off:
            return
        try:
            st = os.stat(AUDIT)
            binary = [AUDIT, st.st_size, st.st_mtime_ns]
        except OSError:
            binary = [AUDIT]
        ident = json.dumps([binary, path, parse,
                            [self._rel(a) for a in flags]])
        name = hashlib.sha256(ident.encode("utf-8",
                                           "surrogateescape")).hexdigest()
        self.file = os.path.join(kbuild.cache_dir(), "audit-results",
                                 name[:2], name + ".json")

    def _rel(self, text):
        return text.replace(self.tree + "/", "<tree>/")

    def _digest(self, dep):
        try:
            with open(dep, "rb") as f:
                return hashlib.sha1(f.read()).hexdigest()
        except OSError:
            return None

    def lookup(self):
        if self.off:
            return None
        try:
            with open(self.file) as f:
                entry = json.load(f)
        except (OSError, ValueError):
            return None
        for dep, digest in entry["deps"]:
            real = dep.replace("<tree>/", self.tree + "/", 1)
            if self._digest(real) != digest:
                return None
        return tuple(entry["result"])

    def store(self, result, deps):
        if self.off or result[0] not in (0, 1, 2) or (
                result[0] == 2 and not result[1]):
            return
        entry = {"deps": [[self._rel(d), self._digest(d)] for d in deps],
                 "result": list(result)}
        if not entry["deps"] or any(d is None for _, d in entry["deps"]):
            return
        try:
            os.makedirs(os.path.dirname(self.file), exist_ok=True)
            tmp = "%s.%d.tmp" % (self.file, os.getpid())
            with open(tmp, "w") as f:
                json.dump(entry, f)
            os.replace(tmp, self.file)
        except OSError:
            pass        # a cache that cannot be written is no cache


def run_audits(args, arch, paths, config=None):
    """{path: (rc, json lines, stderr)} for paths under arch (and config,
    default --config's)."""
    flags = Flags(args, arch, config).of(paths)
    for p in paths:
        if flags[p][2] == "approximated" and args.stats:
            print("kmap-audit-tree: kbuild does not build %s under %s; its "
                  "flags are approximated from the Makefiles"
                  % (p, arch), file=sys.stderr)
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        futs = {p: pool.submit(audit_one, args.ksrc, p, flags[p][0] or [],
                               flags[p][1]) for p in paths}
        return {p: f.result() for p, f in futs.items()}


def findings(text):
    return [json.loads(l) for l in text.splitlines() if l.strip()]


def needs_second(result):
    rc, out, _ = result
    if rc >= 2 and not out:
        return True
    return any(f["kind"] == "parse-error" or (
        # Another configuration cannot change where a mapping is kept.
        f["kind"] == "not-audited" and
        audit.NOT_AUDITED_WHOLE not in f["message"])
        for f in findings(out))


def merge(first, second):
    """Findings of a file audited under two architectures: every finding
    of either, once; a function not audited under one but audited under
    the other is audited; a parse error stays only if both had one."""
    a, b = findings(first[1]), findings(second[1])

    def unaudited(fs):
        return {f["function"] for f in fs if f["kind"] == "not-audited"}

    def parse_error(fs):
        return any(f["kind"] == "parse-error" for f in fs)

    both_unaudited = unaudited(a) & unaudited(b)
    keep_parse_error = parse_error(a) and parse_error(b)
    out, seen = [], set()
    for f in a + b:
        if f["kind"] == "not-audited" and f["function"] not in both_unaudited:
            continue
        if f["kind"] == "parse-error" and not keep_parse_error:
            continue
        key = (f["line"], f["column"], f["kind"], f.get("function"),
               f["message"])
        if key in seen:
            continue
        seen.add(key)
        out.append(json.dumps(f, sort_keys=False))
    rc = max(first[0], second[0]) if keep_parse_error else min(
        max(first[0], second[0]), 1)
    return rc, "".join(l + "\n" for l in out), first[2] + second[2]


_MISSING_ASM = re.compile(r"'(asm/[^']+)' file not found")


def arch_with_header(tree, header):
    """The first architecture clang builds whose arch/<a>/include has
    header (asm/...): a driver only that architecture builds."""
    for arch, (karch, llvm) in kbuild.ARCHES.items():
        if llvm and os.path.isfile(os.path.join(tree, "arch", karch,
                                                "include", header)):
            return arch
    return None


def third_pass(args, results, paths):
    """Files that neither x86 configuration parses because they include
    another architecture's asm/ header: audited under that architecture
    too, and merged."""
    by_arch = {}
    for p in paths:
        for f in findings(results[p][1]):
            m = f["kind"] == "parse-error" and _MISSING_ASM.search(
                f["message"])
            if m:
                arch = arch_with_header(args.ksrc, m.group(1))
                if arch:
                    by_arch.setdefault(arch, []).append(p)
                break
    audit_again(args, results, {(arch, None): group
                                for arch, group in by_arch.items()})


_LOG = re.compile(r" \(log: [^()]*\)$")


def unprepared(result, error, trees=()):
    """result, its parse errors and functions not audited saying why the
    configuration that builds them was not used: error, the
    KbuildError of its preparation, told without the paths of this
    machine (the log's, trees' own: the findings of a tree are the same
    wherever it is audited)."""
    why = _LOG.sub("", str(error))
    for tree in trees:
        if tree:
            why = why.replace(tree.rstrip("/") + "/", "")
    rc, out, err = result
    lines = []
    for f in findings(out):
        if f["kind"] in ("parse-error", "not-audited"):
            f["message"] += ("; the configuration that builds it could not "
                             "be prepared here: %s" % why)
        lines.append(json.dumps(f, sort_keys=False) + "\n")
    return rc, "".join(lines), err


def trees(args):
    """The trees a configuration is prepared from: TREE, and the
    original a --flags-cache-key names."""
    return [args.ksrc] + ([os.path.realpath(args.key)] if args.key else [])


def audit_again(args, results, groups):
    """Audit each group of files ({(architecture, configuration or None
    for --config's): paths}) under that configuration too, and merge;
    a configuration that cannot be prepared here is passed over, and
    the findings it would have settled say so."""
    for (arch, config), group in sorted(
            groups.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        try:
            other = run_audits(args, arch, group, config)
        except kbuild.KbuildError as e:
            if args.stats:
                print("kmap-audit-tree: %s" % e, file=sys.stderr)
            for p in group:
                results[p] = unprepared(results[p], e, trees(args))
            continue
        for p in group:
            results[p] = merge(results[p], other[p])


def option_config(text, found):
    """(architecture, configuration) of OPTION_CONFIGS for a file whose
    findings (found) say code is still preprocessed out under an #if
    naming that option; None when there is none."""
    lines = [f["line"] for f in found if f["kind"] == "not-audited" and
             "preprocessed out" in f["message"]]
    # A skipped range starts at its own directive (#else, #elif): the
    # line after it sits under that one too.
    conditions = " ".join(d for line in lines for at in (line, line + 1)
                          for d in csource.enclosing_conditions(text, at))
    for option, arch, config in OPTION_CONFIGS:
        if lines and re.search(r"\b(?:%s)\b" % option, conditions):
            return arch, config
    return None


def option_pass(args, results, paths):
    """Files with code still preprocessed out under a directive that names
    an option of OPTION_CONFIGS: audited under that configuration too, and
    merged."""
    by_config = {}
    for p in paths:
        with open(os.path.join(args.ksrc, p), errors="replace") as f:
            chosen = option_config(f.read(), findings(results[p][1]))
        if chosen:
            by_config.setdefault(chosen, []).append(p)
    audit_again(args, results, by_config)


def main(argv):
    try:
        args = parse_args(argv)
    except Usage as e:
        print("kmap-audit-tree: %s" % e, file=sys.stderr)
        return 2
    default = args.arch or kbuild.DEFAULT_ARCH
    try:
        if args.print_flags:
            # The flags of every FILE are found (one make run) and
            # cached; the first one's are printed.
            p = args.files[0]
            arch = file_arch(p, default)
            flags = Flags(args, arch).of(
                [f for f in args.files if file_arch(f, default) == arch])
            print("\n".join(flags[p][0] or []))
            return 0
        groups = {}
        for p in args.files:
            groups.setdefault(file_arch(p, default), []).append(p)
        results = {}
        for arch, paths in sorted(groups.items()):
            try:
                results.update(run_audits(args, arch, paths))
            except kbuild.KbuildError as e:
                if arch == default:
                    raise
                # That architecture cannot be prepared here: its files
                # are audited under the default configuration, where
                # what does not parse is reported as such, and why.
                if args.stats:
                    print("kmap-audit-tree: %s; auditing %s under %s"
                          % (e, " ".join(paths), default), file=sys.stderr)
                results.update({p: unprepared(r, e, trees(args)) for p, r in
                                run_audits(args, default, paths).items()})
        if not args.arch and not args.build:
            again = [p for p in args.files
                     if file_arch(p, default) == default
                     and needs_second(results[p])]
            if again and not os.path.isfile(os.path.join(
                    args.ksrc, "compile_commands.json")):
                second = run_audits(args, SECOND_ARCH, again)
                for p in again:
                    results[p] = merge(results[p], second[p])
                third_pass(args, results, again)
                option_pass(args, results, again)
    except kbuild.KbuildError as e:
        print("kmap-audit-tree: %s" % e, file=sys.stderr)
        return 2
    for p in args.files:
        foreign = arch_without_config(p) if not args.arch else None
        if foreign:
            results[p] = unprepared(
                results[p], "kbuild has no clang target for ARCH=%s, so "
                "%s is audited under %s" % (foreign, p, default))
    status = 0
    totals = [0] * 6
    lines = []
    for p in args.files:
        rc, out, err = results[p]
        for line in err.splitlines():
            m = STATS.match(line)
            if m:
                for i, v in enumerate(m.groups()):
                    totals[i] += int(v or 0)
            elif not line.startswith("kmap-audit: ") or "file(s)" not in line:
                print(line, file=sys.stderr)
        if rc >= 2 and not out:
            status = 2
        lines.append(out)
    if args.stats:
        # After merging: what the output says, not what each pass said.
        merged = [findings(l) for l in lines]
        totals[0] = len(args.files)
        totals[2] = sum(1 for fs in merged for f in fs
                        if f["kind"] not in ("parse-error", "not-audited"))
        totals[3] = sum(1 for fs in merged
                        if any(f["kind"] == "parse-error" for f in fs))
        totals[5] = sum(1 for fs in merged for f in fs
                        if f["kind"] == "not-audited")
        print("kmap-audit-tree: %d file(s), %d function(s), %d finding(s), "
              "%d file(s) with parse errors, %d function(s) not fully "
              "explored, %d not audited" % tuple(totals), file=sys.stderr)
    proc = subprocess.run([AUDIT, "--render", args.format],
                          input="".join(lines), text=True)
    return 2 if status == 2 else proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
