# SPDX-License-Identifier: GPL-2.0-only
"""Read the guest's serial log: what went wrong, and what ran.

A run fails on any kernel warning, BUG or oops, any report of the
kmap_local overlay ("kmap_local: ..." other than its boot line), any
filesystem or I/O error the kernel logs, any "KMAPWORK: FAIL" line of
the workload, or a guest that never printed "KMAPWORK: done".
"""

import collections
import re

from .funcedit import MARKER_PREFIX

Finding = collections.namedtuple("Finding", ["kind", "line", "context"])

TRACKING_LINE = "kmap_local: tracking enabled"
# Lines of the overlay that are news, not reports: its boot line, a new
# record of stack depth at task exit, its optional boot self-test.
_OVERLAY_INFO = re.compile(r"kmap_local: (tracking enabled|.* used greatest "
                           r"depth: |selftest passed|stats: )")
# The overlay's counters, printed once at power-off: "key=value ..."
_STATS = re.compile(r"kmap_local: stats: (.*)$")
_MOVES = re.compile(r"^KMAPWORK: phase \d+: (\d+) affinity changes over "
                    r"(\d+) CPUs")
# "kmap_local:   mapping 1 from ..." lines are the evidence of the
# report above them, not reports of their own.
_OVERLAY_EVIDENCE = re.compile(r"kmap_local:\s{2,}")

_TIME = re.compile(r"^\[\s*(\d+\.\d+)\]\s?")
_EMBEDDED_TIME = re.compile(r"(?=\[\s*\d+\.\d{6}\] )")
# SeaBIOS clears the screen: "ESC c", "ESC [?7l", "ESC [2J" ...
_ESCAPES = re.compile(r"\x1b(?:\[[0-9;?]*[A-Za-z]|[A-Za-z])")
_RULES = [
    ("warning", re.compile(r"^WARNING: ")),
    ("bug", re.compile(r"\bBUG: |kernel BUG at ")),
    ("oops", re.compile(r"^Oops: |general protection fault|"
                        r"invalid opcode: |^Kernel panic")),
    ("kmap_local", re.compile(r"\bkmap_local: ")),
    ("fs-error", re.compile(r"error \(device |\): error|I/O error|"
                            r"^[A-Z][A-Za-z0-9]*(-fs)? error: ")),
    ("workload", re.compile(r"^KMAPWORK: FAIL ")),
]
_DONE = re.compile(r"^KMAPWORK: done: (\d+) files checked, (\d+) bytes, "
                   r"(\d+) failures, (\d+) s")
_FILE = re.compile(r"^KMAPWORK: file (\S+) (\S+) (\d+) ([0-9a-f]{8})$")
_VERSION = re.compile(r"^Linux version (\S+)")
_INIT = re.compile(r"^Run /init as init process")
_END_TRACE = re.compile(r"^---\[ end trace|^---\[ end Kernel panic")
_CUT = re.compile(r"^------------\[ cut here \]")
_CONTEXT = 40


class Log:
    def __init__(self, text):
        self.lines = []
        self.times = []
        for raw in text.splitlines():
            raw = _ESCAPES.sub("", raw).rstrip("\r")
            # a kernel message can land in the middle of other output
            for piece in _EMBEDDED_TIME.split(raw):
                if not piece:
                    continue
                m = _TIME.match(piece)
                self.times.append(float(m.group(1)) if m else None)
                self.lines.append(piece[m.end():] if m else piece)
        self.findings = []
        self.reached = []
        self.tracking = False
        self.kernel = ""
        self.init_at = None
        self.done = None
        # the overlay's counters ({name: int, "maps_per_cpu": [int]}),
        # None if the kernel printed none
        self.stats = None
        # affinity changes the workload made, and over how many CPUs
        self.moves = 0
        self.cpus = 0
        # {filesystem: {path: (size, crc32)}} as the guest left them
        self.files = {}
        self._scan()

    def _context(self, i, kind):
        """The lines that explain finding i: an overlay report's
        evidence lines, else up to the end of its trace."""
        out = [self.lines[i]]
        for line in self.lines[i + 1:i + _CONTEXT]:
            if kind == "kmap_local" and not _OVERLAY_EVIDENCE.search(line):
                break
            out.append(line)
            if _END_TRACE.search(line):
                break
        return out

    def _classify(self, line):
        for kind, rule in _RULES:
            if rule.search(line):
                return kind
        return None

    def _scan(self):
        skip = -1
        for i, line in enumerate(self.lines):
            if i == skip:
                continue
            if MARKER_PREFIX in line:
                name = line.split(MARKER_PREFIX, 1)[1].strip()
                if name not in self.reached:
                    self.reached.append(name)
                continue
            if TRACKING_LINE in line:
                self.tracking = True
            m = _STATS.search(line)
            if m:
                self.stats = parse_stats(m.group(1))
            m = _MOVES.search(line)
            if m:
                self.moves += int(m.group(1))
                self.cpus = max(self.cpus, int(m.group(2)))
            if _OVERLAY_INFO.search(line) or _OVERLAY_EVIDENCE.search(line):
                continue
            if _CUT.search(line):
                # "cut here" and the WARNING or BUG line after it are one
                # finding, told by that line
                nxt = i + 1 if i + 1 < len(self.lines) else i
                kind = self._classify(self.lines[nxt])
                kind = kind if kind in ("warning", "bug") else "warning"
                self.findings.append(Finding(kind, self.lines[nxt],
                                             self._context(nxt, kind)))
                skip = nxt
                continue
            m = _VERSION.search(line)
            if m and not self.kernel:
                self.kernel = m.group(1)
            if _INIT.search(line) and self.init_at is None:
                self.init_at = self.times[i]
            m = _FILE.search(line)
            if m:
                self.files.setdefault(m.group(1), {})[m.group(2)] = (
                    int(m.group(3)), int(m.group(4), 16))
                continue
            m = _DONE.search(line)
            if m:
                self.done = tuple(int(g) for g in m.groups())
            kind = self._classify(line)
            if kind:
                self.findings.append(Finding(kind, line,
                                             self._context(i, kind)))

    def problems(self, timed_out, seconds):
        """Findings, plus one for a guest that did not finish."""
        found = list(self.findings)
        if self.done is None:
            why = ("timed out after %d s" % seconds if timed_out
                   else "stopped before the workload finished")
            found.append(Finding("incomplete", "the guest " + why,
                                 self.lines[-15:]))
        return found


def parse_stats(text):
    """{name: int} of "a=1 b=2 maps_per_cpu=3,4"; lists for commas."""
    stats = {}
    for item in text.split():
        key, _, value = item.partition("=")
        try:
            stats[key] = ([int(v) for v in value.split(",") if v]
                          if key.endswith("_per_cpu") else int(value))
        except ValueError:
            continue
    return stats


# Counters a run on several CPUs must see above zero: otherwise it has
# not exercised what only exists there.
SMP_REQUIRED = (
    ("held_switches", "context switches of a task holding a local mapping"),
    ("migrations", "tasks that mapped on another CPU than before"),
)


def smp_problems(stats, cpus):
    """Findings when a run on cpus > 1 CPUs did not exercise them: no
    counters, a required counter at zero, or a CPU that mapped nothing."""
    if cpus < 2:
        return []
    if stats is None:
        return [Finding("smp", "no 'kmap_local: stats:' line at power-off",
                        [])]
    found = []
    for key, what in SMP_REQUIRED:
        if not stats.get(key):
            found.append(Finding("smp", "%s: 0 %s" % (key, what), []))
    per_cpu = stats.get("maps_per_cpu", [])
    if len(per_cpu) < cpus or not all(per_cpu):
        found.append(Finding("smp", "local mappings per CPU %s: want %d "
                             "CPUs, each above zero" % (per_cpu, cpus), []))
    return found


def first_frames(context, n=6):
    """The first n reliable function names (not "? ") of the backtrace
    in a finding's context."""
    frames = []
    in_trace = False
    for line in context:
        if line.strip() == "Call Trace:":
            in_trace = True
            continue
        m = re.match(r"^\s+([A-Za-z_][A-Za-z0-9_.]*)\+0x", line)
        if in_trace and m:
            frames.append(m.group(1))
            if len(frames) >= n:
                break
    return frames


# What the unpatched kernel can show as well: the kernel's own reports,
# the overlay's, the filesystems' and the workload's failures.  Not the
# run's own checks (SMP counters, reach, a missing boot line, a timeout).
KERNEL_KINDS = ("warning", "bug", "oops", "kmap_local", "fs-error",
                "workload")


def signature(finding):
    """A finding without what changes from boot to boot: CPU and task
    numbers, addresses and code offsets; with its first frames."""
    line = re.sub(r"\bCPU: \d+ PID: \d+ ", "", finding.line)
    line = re.sub(r"\+0x[0-9a-f]+/0x[0-9a-f]+", "", line)
    line = re.sub(r"\b(0x)?[0-9a-f]{8,16}\b", "X", line)
    return (finding.kind, _without_pid(line),
            tuple(first_frames(finding.context)))


def _without_pid(line):
    """line with a task's pid ("init/45") left out."""
    return re.sub(r"(\S)/\d+\b", r"\1/N", line)


def split_pre_existing(findings, baseline):
    """(new, pre_existing): the findings of a run with the conversions,
    split by whether the same kernel without them (baseline's findings,
    same workload) showed one with the same signature."""
    before = {signature(f) for f in baseline if f.kind in KERNEL_KINDS}
    new, pre = [], []
    for f in findings:
        (pre if f.kind in KERNEL_KINDS and signature(f) in before
         else new).append(f)
    return new, pre


def grouped(findings):
    """[(finding, count)] with findings that differ only in a task's
    pid ("init/45") counted together, in order of first appearance."""
    groups = collections.OrderedDict()
    for f in findings:
        key = (f.kind, _without_pid(f.line))
        if key in groups:
            groups[key][1] += 1
        else:
            groups[key] = [f, 1]
    return [tuple(v) for v in groups.values()]
