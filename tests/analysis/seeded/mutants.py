#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Seeded-defect harness: how much of real code the audit really checks.

Every function of SUBSYS (a directory of a real kernel tree) that calls
kunmap_local() gets up to three mutants, each in its own copy of the
file (the tree is never written; a copy sits in a scratch directory and
is compiled with the original's kbuild flags, whose -I of the source
directory finds its local headers):

  leak             its first kunmap_local(x); statement becomes ";"
  lifo-order       its first two adjacent kunmap_local() statements of
                   different addresses swapped
  use-after-unmap  "(void)*(volatile char *)(x);" added right after its
                   first kunmap_local(x); (both in one block)

Lines are never added or removed, so a finding keeps its line.  A mutant
is detected when the audit of its copy reports a finding (any kind but
notes and parse errors) that the unmodified file does not have: in the
mutated function, or where the defect shows (the callers of a release
helper that no longer releases); --json says where.  The unmodified functions are the clean control:
their findings are the alarms on real code (true defects among them are
triaged by hand; see analysis/README.md).  Nothing here names a file or a
function: the sites are found by pattern, so any subsystem is measured
the same way.

Prints the detection rate, the alarms on clean functions, and every
missed mutant with what the audit said about its function (a not-audited
note, nothing).  --json writes everything.  Exit status 0, or 2 on bad
input; --min-detection makes a lower rate exit 1.
"""

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, os.path.join(TOP, "tools"))
sys.path.insert(0, os.path.join(TOP, "analysis"))

from kerneltree import csource, kbuild  # noqa: E402
import kmap_audit_tree  # noqa: E402

UNMAP = re.compile(r"^(?P<indent>\s*)kunmap_local\((?P<arg>.+)\);\s*$")
NOT_DEFECTS = ("parse-error", "not-audited")


def unmap_lines(code_lines, func):
    """(index, indent, argument) of the function's one-line unmaps."""
    out = []
    for i in range(func.start, func.end - 1):
        m = UNMAP.match(code_lines[i])
        if m and m.group("arg").count("(") == m.group("arg").count(")"):
            out.append((i, m.group("indent"), m.group("arg").strip()))
    return out


def body_of_braceless(code_lines, i):
    """Is line i the body of an if/else/for/while without braces?"""
    j = i - 1
    while j >= 0 and not code_lines[j].strip():
        j -= 1
    prev = code_lines[j].rstrip() if j >= 0 else ""
    return prev.endswith(")") or prev.endswith("else")


def mutants_of(text):
    """[(kind, function, line, new text)] for one file's text."""
    code = csource.strip_comments_and_strings(text)
    code_lines = code.split("\n")
    lines = text.split("\n")
    out = []
    for func in csource.functions(text):
        unmaps = unmap_lines(code_lines, func)
        if not unmaps:
            continue
        i, indent, arg = unmaps[0]
        leak = list(lines)
        leak[i] = indent + ";"
        out.append(("leak", func, i + 1, "\n".join(leak)))
        use = list(lines)
        use[i] = "%s{ kunmap_local(%s); (void)*(volatile char *)(%s); }" % (
            indent, arg, arg)
        out.append(("use-after-unmap", func, i + 1, "\n".join(use)))
        for (a, ia, xa), (b, ib, xb) in zip(unmaps, unmaps[1:]):
            if b == a + 1 and xa != xb and not body_of_braceless(
                    code_lines, a):
                swap = list(lines)
                swap[a], swap[b] = lines[b], lines[a]
                out.append(("lifo-order", func, a + 1, "\n".join(swap)))
                break
    return out


def audit(path, name, flags, via=None):
    argv = [kmap_audit_tree.AUDIT, "--format", "json", "--name", name]
    if via:
        argv += ["--via", via]
    argv += [path, "--"] + flags
    proc = subprocess.run(argv, capture_output=True, text=True)
    return [json.loads(l) for l in proc.stdout.splitlines() if l.strip()]


def key(f):
    return (f["kind"], f["line"], f["column"], f["message"])


class Harness:
    def __init__(self, args):
        self.args = args
        # path -> (flags, parse path or None, arch, findings unmodified)
        self.flags = {}
        # path -> more such configurations, for code the first leaves out
        self.more = {}

    def config_for(self, path, func):
        """The first configuration of path that audits func."""
        for config in [self.flags[path]] + self.more.get(path, []):
            if not any(f["kind"] in NOT_DEFECTS and f["line"] in func
                       for f in config[3]):
                return config
        return self.flags[path]

    def choose_flags(self, paths):
        """The configuration each file is audited under: the first of
        the audit's own (i386, then x86_64) that parses it without
        functions left out, as kmap-audit-tree merges them."""
        opts = argparse.Namespace(ksrc=self.args.ksrc, key=None, build=None,
                                  config="allmodconfig", jobs=self.args.jobs)
        pending = list(paths)
        if self.args.makefile_flags:
            build = kbuild.prepare(self.args.ksrc, "x86_64",
                                   jobs=self.args.jobs)
            got = {p: kbuild.approximate_flags(build, p) for p in paths}
            base = self.run_all([(p, got[p], p) for p in paths])
            for p in paths:
                self.flags[p] = (got[p], None, "x86_64", base[p])
            return
        for arch in (kbuild.DEFAULT_ARCH, kmap_audit_tree.SECOND_ARCH,
                     None):
            if not pending:
                break
            if arch is None:
                # A driver only another architecture builds (it includes
                # that architecture's asm/ header), as kmap-audit-tree
                # finds it; code under an #if of an option another
                # configuration turns around.
                self.other_arches(opts, pending)
                self.option_configs(opts, pending)
                break
            got = kmap_audit_tree.Flags(opts, arch).of(pending)
            base = self.run_all([(p, got[p][0], got[p][1]) for p in pending])
            for p in list(pending):
                via = got[p][1] if got[p][1] != p else None
                fs = base[p]
                if p not in self.flags or not any(
                        f["kind"] in NOT_DEFECTS for f in fs):
                    self.flags[p] = (got[p][0], via, arch, fs)
                if not any(f["kind"] in NOT_DEFECTS for f in fs):
                    pending.remove(p)

    def other_arches(self, opts, pending):
        by_arch = {}
        for p in pending:
            for f in self.flags[p][3]:
                m = f["kind"] == "parse-error" and \
                    kmap_audit_tree._MISSING_ASM.search(f["message"])
                if m:
                    arch = kmap_audit_tree.arch_with_header(
                        self.args.ksrc, m.group(1))
                    if arch:
                        by_arch.setdefault(arch, []).append(p)
                    break
        for arch, group in sorted(by_arch.items()):
            try:
                got = kmap_audit_tree.Flags(opts, arch).of(group)
            except kbuild.KbuildError:
                continue
            base = self.run_all([(p, got[p][0], got[p][1]) for p in group])
            for p in group:
                if not any(f["kind"] == "parse-error" for f in base[p]):
                    via = got[p][1] if got[p][1] != p else None
                    self.flags[p] = (got[p][0], via, arch, base[p])

    def option_configs(self, opts, pending):
        by_config = {}
        for p in pending:
            with open(os.path.join(self.args.ksrc, p),
                      errors="replace") as f:
                chosen = kmap_audit_tree.option_config(f.read(),
                                                       self.flags[p][3])
            if chosen:
                by_config.setdefault(chosen, []).append(p)
        for (arch, config), group in sorted(by_config.items()):
            try:
                got = kmap_audit_tree.Flags(opts, arch, config).of(group)
            except kbuild.KbuildError:
                continue
            base = self.run_all([(p, got[p][0], got[p][1]) for p in group])
            for p in group:
                via = got[p][1] if got[p][1] != p else None
                self.more.setdefault(p, []).append(
                    (got[p][0], via, "%s %s" % (arch, config), base[p]))

    def run_all(self, jobs):
        tree = self.args.ksrc
        with concurrent.futures.ThreadPoolExecutor(self.args.jobs) as pool:
            futs = {p: pool.submit(audit, os.path.join(tree, p), p, fl,
                                   os.path.join(tree, via) if via != p
                                   else None)
                    for p, fl, via in jobs}
            return {p: f.result() for p, f in futs.items()}

    def run_mutant(self, scratch, n, path, config, text):
        d = os.path.join(scratch, str(n))
        flags, via, _, _ = config
        # Beside a copy of its includer, as that one names it (its
        # directory or one below: "selftests/x.c").
        copy = os.path.join(d, os.path.relpath(path, os.path.dirname(via))
                            if via else os.path.basename(path))
        os.makedirs(os.path.dirname(copy))
        with open(copy, "w") as f:
            f.write(text)
        # "header.h" is looked for beside the file first: the copy's
        # directory has none of the original's.
        flags = ["-iquote", os.path.join(self.args.ksrc,
                                         os.path.dirname(path))] + flags
        if via:
            # The includer is compiled, and it includes the copy's name
            # from its own directory: compile a copy of it there.
            host = os.path.join(d, os.path.basename(via))
            shutil.copyfile(os.path.join(self.args.ksrc, via), host)
            return audit(copy, path, flags, host)
        return audit(copy, path, flags)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--ksrc", required=True, help="kernel tree (read only)")
    ap.add_argument("--subsys", default="fs", help="directory to seed")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--sample", type=int, default=0,
                    help="seed only every file's first N functions")
    ap.add_argument("--json", help="write the results here")
    ap.add_argument("--min-detection", type=float, default=0.0)
    ap.add_argument("--makefile-flags", action="store_true",
                    help="x86_64's generic flags and what the Makefiles "
                    "add, not kbuild's per object (to compare with the "
                    "way flags were found before kbuild was asked)")
    args = ap.parse_args()
    args.ksrc = os.path.realpath(args.ksrc)
    top = os.path.join(args.ksrc, args.subsys)
    if not os.path.isdir(top):
        print("mutants: no directory %s in %s" % (args.subsys, args.ksrc),
              file=sys.stderr)
        return 2
    start = time.monotonic()
    files = []
    for root, dirs, names in os.walk(top):
        dirs.sort()
        for name in sorted(names):
            if not name.endswith(".c"):
                continue
            p = os.path.join(root, name)
            with open(p, errors="replace") as f:
                text = f.read()
            if "kunmap_local(" in text:
                files.append((os.path.relpath(p, args.ksrc), text))
    h = Harness(args)
    h.choose_flags([p for p, _ in files])
    mutants = []
    clean = []  # (path, function, alarms)
    for path, text in files:
        funcs = [f for f in csource.functions(text)
                 if "kunmap_local(" in "\n".join(
                     text.split("\n")[f.start - 1:f.end])]
        base = h.flags[path][3]
        for func in funcs:
            alarms = [f for f in base if f["kind"] not in NOT_DEFECTS
                      and f["line"] in func]
            clean.append((path, func, alarms))
        ms = mutants_of(text)
        if args.sample:
            names = []
            for _, func, _, _ in ms:
                if func.name not in names:
                    names.append(func.name)
            keep = set(names[:args.sample])
            ms = [m for m in ms if m[1].name in keep]
        mutants += [(path,) + m for m in ms]
    results = []
    with tempfile.TemporaryDirectory(prefix="kmap-mutants-") as scratch:
        with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
            configs = [h.config_for(m[0], m[2]) for m in mutants]
            futs = [pool.submit(h.run_mutant, scratch, n, m[0], configs[n],
                                m[4])
                    for n, m in enumerate(mutants)]
            for m, config, fut in zip(mutants, configs, futs):
                path, kind, func, line, _ = m
                got = fut.result()
                base = {key(f) for f in config[3]}
                new = [f for f in got if key(f) not in base
                       and f["kind"] not in NOT_DEFECTS]
                # In the mutated function, or where the defect shows: a
                # release helper that no longer releases leaks in its
                # callers.
                where = sorted({"in the function" if f["line"] in func
                                else "line %d" % f["line"] for f in new})
                notes = [f["message"] for f in got
                         if f["kind"] in NOT_DEFECTS and (
                             f["line"] in func or f["kind"] == "parse-error")]
                results.append({
                    "file": path, "function": func.name, "line": line,
                    "mutant": kind, "arch": config[2],
                    "detected": bool(new),
                    "kinds": sorted({f["kind"] for f in new}),
                    "where": where,
                    "notes": notes})
    seconds = time.monotonic() - start
    detected = sum(r["detected"] for r in results)
    alarmed = [(p, f, a) for p, f, a in clean if a]
    rate = detected / len(results) if results else 0.0
    print("seeded %s of %s: %d mutants in %d functions of %d files; "
          "detected %d (%.3f); clean functions %d, with alarms %d (%.3f); "
          "%.0f s" % (
              args.subsys, os.path.basename(args.ksrc), len(results),
              len({(r["file"], r["function"]) for r in results}), len(files),
              detected, rate, len(clean), len(alarmed),
              len(alarmed) / len(clean) if clean else 0.0, seconds))
    for kind in ("leak", "lifo-order", "use-after-unmap"):
        rs = [r for r in results if r["mutant"] == kind]
        if rs:
            print("  %-16s %d/%d" % (kind, sum(r["detected"] for r in rs),
                                     len(rs)))
    for r in results:
        if not r["detected"]:
            print("MISSED %s:%d %s() %s [%s]%s" % (
                r["file"], r["line"], r["function"], r["mutant"], r["arch"],
                "".join("; " + n for n in r["notes"][:2])))
    for p, f, alarms in alarmed:
        for a in alarms:
            print("ALARM %s:%d %s() %s: %s" % (p, a["line"], f.name,
                                             a["kind"], a["message"]))
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"subsys": args.subsys, "tree": args.ksrc,
                       "mutants": results, "seconds": round(seconds, 1),
                       "clean": [{"file": p, "function": f.name,
                                  "alarms": a} for p, f, a in clean]},
                      out, indent=1)
    return 1 if rate < args.min_detection else 0


if __name__ == "__main__":
    sys.exit(main())
