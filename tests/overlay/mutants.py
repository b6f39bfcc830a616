# SPDX-License-Identifier: GPL-2.0-only
"""Mutation test of the kmap_local core: every mutant in
kernel-overlay/sim/mutants.txt must be killed by the unit tests (golden
output), the scheduler simulation or the fuzz target's replay build.

A mutant that survives means the tests cannot see that bug: exit 1.
A mutants file that does not match the core: exit 2.
"""

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
OVERLAY = os.path.join(TOP, "kernel-overlay")
CORE = os.path.join("mm", "kmap_local_core.c")


class BadMutant(Exception):
    pass


def parse(path):
    """[(name, why, old text, new text)] from the mutants file."""
    mutants = []
    with open(path) as f:
        for raw in f:
            line = raw.rstrip("\n")
            if line.startswith("@@ "):
                name, _, why = line[3:].partition(": ")
                mutants.append([name, why, [], []])
            elif line.startswith(("-", "+")):
                if not mutants:
                    raise BadMutant("%s: a change before the first @@" % path)
                mutants[-1][2 if line[0] == "-" else 3].append(line[1:])
    return [(n, w, "\n".join(o) + "\n", "\n".join(a) + "\n" if a else "")
            for n, w, o, a in mutants]


def apply(source, name, old, new):
    if source.count(old) != 1:
        raise BadMutant("mutant %s: its lines occur %d times in %s"
                        % (name, source.count(old), CORE))
    return source.replace(old, new)


def run(cmd, cwd):
    return subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


def killers(work, seeds, inputs):
    """The tests that fail on the mutant built in work."""
    sim = os.path.join(work, "sim")
    # Not -Werror: a helper left unused is no kill
    build = run(["make", "-s", "B=build",
                 "WARN=-Wall -Wextra -Wno-unused-parameter "
                 "-Wno-unused-function",
                 "build/unit", "build/kmap-sim", "build/kmap-fuzz-replay"],
                sim)
    if build.returncode:
        return ["build (%s)" % build.stdout.strip().splitlines()[-1]]
    found = []
    unit = run([os.path.join(sim, "build", "unit")], sim)
    with open(os.path.join(sim, "golden", "unit.out")) as f:
        if unit.returncode or unit.stdout != f.read():
            found.append("unit tests")
    if run([os.path.join(sim, "build", "kmap-sim"), "--seeds", seeds,
            "--quiet"], sim).returncode:
        found.append("simulation")
    if run([os.path.join(sim, "build", "kmap-fuzz-replay"), "--seed", "1",
            "--runs", str(inputs)], sim).returncode:
        found.append("fuzz replay")
    return found


def try_mutant(mutant, source, seeds, inputs):
    name, why, old, new = mutant
    work = tempfile.mkdtemp(prefix="kmap-mutant-")
    try:
        for part in ("mm", "include", "sim"):
            shutil.copytree(os.path.join(OVERLAY, part),
                            os.path.join(work, part),
                            ignore=shutil.ignore_patterns("build"))
        with open(os.path.join(work, CORE), "w") as f:
            f.write(apply(source, name, old, new))
        return name, why, killers(work, seeds, inputs)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mutants",
                   default=os.path.join(OVERLAY, "sim", "mutants.txt"))
    p.add_argument("--seeds", default="1:300",
                   help="simulation seeds FIRST:COUNT (default 1:300)")
    p.add_argument("--inputs", type=int, default=300,
                   help="random inputs of the fuzz replay (default 300)")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = p.parse_args(argv)
    try:
        mutants = parse(args.mutants)
        with open(os.path.join(OVERLAY, CORE)) as f:
            source = f.read()
        for name, _, old, new in mutants:
            apply(source, name, old, new)
    except (OSError, BadMutant) as e:
        print("mutants: %s" % e, file=sys.stderr)
        return 2
    survivors = 0
    with concurrent.futures.ThreadPoolExecutor(args.jobs) as pool:
        jobs = [pool.submit(try_mutant, m, source, args.seeds, args.inputs)
                for m in mutants]
        for job in jobs:
            name, why, by = job.result()
            if by:
                print("mutants: %-24s killed by %s" % (name, ", ".join(by)))
            else:
                survivors += 1
                print("mutants: %-24s SURVIVED: the tests miss: %s"
                      % (name, why))
    print("mutants: %d of %d killed" % (len(mutants) - survivors,
                                        len(mutants)))
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
