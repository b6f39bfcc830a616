# SPDX-License-Identifier: GPL-2.0-only
"""Everything one analysis run found, as handed to the report writers."""

from collections import Counter
from dataclasses import dataclass, field

from .sites import CLASSES


@dataclass
class Findings:
    ksrc_label: str            # how the report names the kernel tree
    subsys: str                # relative to KSRC, "." for the whole tree
    version: str               # kmapconv version
    kernel_version: str        # from the tree's Makefile, may be ""
    cocci_label: str           # semantic patch path as shown
    cocci_sha256: str
    scanned: int = 0           # .c/.h files under SUBSYS
    candidates: list = field(default_factory=list)
    unreadable: list = field(default_factory=list)    # (path, message)
    sites: list = field(default_factory=list)         # schema order
    failed: dict = field(default_factory=dict)        # file -> reason
    failed_calls: dict = field(default_factory=dict)  # file -> [CallLine]
    unmatched: list = field(default_factory=list)     # (file, CallLine)
    in_macros: list = field(default_factory=list)     # (file, CallLine)
    in_if0: list = field(default_factory=list)        # (file, CallLine)
    patch: str = ""
    batches: int = 0
    reruns: int = 0
    cached: int = 0            # candidates whose results were cached
    analysed: int = 0          # candidates spatch ran on
    hosts: dict = field(default_factory=dict)         # sshlogin -> jobs
    audit: dict = None         # convert --verify: audit.json (auditgate)
    # Comments near the rewrite that may be stale: (file, line, text).
    stale_comments: list = field(default_factory=list)
    # Where the run's time went, seconds by phase (make bench shows it).
    timings: dict = field(default_factory=dict)

    def class_counts(self):
        counts = Counter(site["class"] for site in self.sites)
        return {cls: counts.get(cls, 0) for cls in CLASSES}
