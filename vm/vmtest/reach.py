# SPDX-License-Identifier: GPL-2.0-only
"""Which rewritten functions the workload reached, per filesystem, and
whether that dropped since the last clean run of the same tree.

The instrumented functions come from the converter's sites.jsonl (the
markers, funcedit.MARKER); a function belongs to the filesystem whose
subsystems hold its file.  The best count each filesystem has reached
on a tree is kept in the tree's cache directory (reach.json); a clean
run that reaches fewer there fails, so a workload change or a converter
change that stops driving a rewritten path cannot go unnoticed.
"""

import dataclasses
import json
import os

from . import serial_log


@dataclasses.dataclass
class Reach:
    name: str
    instrumented: list
    reached: list

    @property
    def share(self):
        return (len(self.reached) / len(self.instrumented)
                if self.instrumented else 1.0)


def _owner(path, filesystems):
    for fs in filesystems:
        for subsys in fs.subsys:
            if path.startswith(subsys.rstrip("/") + "/"):
                return fs.name
    return None


def per_filesystem(instrumented, reached, filesystems):
    """[Reach] in filesystem order, plus one "other" entry for functions
    no filesystem's subsystems hold (when there are any)."""
    table = {fs.name: Reach(fs.name, [], []) for fs in filesystems}
    for path, function in instrumented:
        name = _owner(path, filesystems) or "other"
        entry = table.setdefault(name, Reach(name, [], []))
        entry.instrumented.append(function)
        if function in reached:
            entry.reached.append(function)
    return list(table.values())


def total(table):
    return (sum(len(r.reached) for r in table),
            sum(len(r.instrumented) for r in table))


def load(path):
    """{filesystem: best reached count} from path; {} if there is none."""
    try:
        with open(path) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, int)}


def regressions(table, best):
    """Findings for each filesystem that reached fewer functions than its
    best earlier clean run of this tree."""
    return [serial_log.Finding(
        "reach", "%s: %d of %d rewritten functions reached, %d before"
        % (r.name, len(r.reached), len(r.instrumented), best[r.name]), [])
        for r in table if len(r.reached) < best.get(r.name, 0)]


def save(path, table, best):
    """Keep the best count per filesystem (a passing run raises it)."""
    merged = dict(best)
    for r in table:
        merged[r.name] = max(merged.get(r.name, 0), len(r.reached))
    with open(path + ".tmp", "w") as f:
        json.dump(merged, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(path + ".tmp", path)
    return merged


def lines(table):
    """One summary line per filesystem with instrumented functions."""
    out = []
    for r in table:
        if not r.instrumented:
            continue
        missed = [f for f in r.instrumented if f not in r.reached]
        out.append("  %-9s %d/%d%s" % (
            r.name, len(r.reached), len(r.instrumented),
            "; not reached: " + ", ".join(missed) if missed else ""))
    return out
