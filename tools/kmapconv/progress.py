# SPDX-License-Identifier: GPL-2.0-only
"""Progress while spatch runs, and the summary when it is done.

A person at a terminal gets GNU parallel's own progress bar (--bar:
share of batches done, seconds left); CI logs and pipes get nothing
but the summary, since a bar redrawn with carriage returns is noise in
a log file.
"""

import os
import sys

from .sites import ACTIONS, CLASSES

_CI_OFF = ("", "0", "false", "no")


def wanted(stream=None):
    """True when stream (stderr) is a terminal and CI is not set."""
    stream = stream or sys.stderr
    if os.environ.get("CI", "").strip().lower() not in _CI_OFF:
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def parallel_options(show):
    """GNU parallel's options for the progress bar (none when quiet)."""
    return ["--bar"] if show else []


def start_line(candidates, cached, batches, jobs, hosts=()):
    """What is about to run, for the terminal only."""
    where = " per host on %s" % ", ".join(hosts) if hosts else ""
    return ("kmapconv: %d candidate files, %d from the cache; %d spatch "
            "batches, %d jobs%s" % (candidates, cached, batches, jobs,
                                    where))


def summary_block(findings, seconds):
    """The end-of-run summary: files, sites per class, rewrites, failures,
    time.  Several lines, for stderr; stdout keeps its one-line summary."""
    counts = findings.class_counts()
    actions = dict.fromkeys(ACTIONS, 0)
    for site in findings.sites:
        actions[site["action"]] += 1
    rewritten_files = len({s["file"] for s in findings.sites
                           if s["action"] == "rewritten"})
    lines = [
        "files:    %d scanned, %d candidates (%d analysed by spatch, "
        "%d from the cache)" % (findings.scanned, len(findings.candidates),
                                findings.analysed, findings.cached),
        "sites:    %d (%s)" % (len(findings.sites), ", ".join(
            "%s %d" % (c, counts[c]) for c in CLASSES)),
        "rewrites: %d sites in %d files; %s" % (
            actions["rewritten"], rewritten_files, ", ".join(
                "%s %d" % (a, actions[a]) for a in ACTIONS[1:])),
        "failures: %d files spatch could not analyse, %d unmatched calls, "
        "%d unreadable files" % (len(findings.failed),
                                 len(findings.unmatched),
                                 len(findings.unreadable)),
        "time:     %.1f s" % seconds,
    ]
    if findings.audit is not None:
        audit = findings.audit
        lines.insert(-1, "verify:   %d rewritten sites in %d functions "
                     "flagged by kmap-audit, now manual; %d files held "
                     "back; %d audit rounds" % (
                         len(audit["demoted"]), audit["functions_demoted"],
                         len(audit["held_back"]), len(audit["rounds"])))
    return "\n".join("kmapconv: " + l for l in lines)


def hosts_line(findings):
    """How the spatch jobs were spread over HOSTS ("" without HOSTS)."""
    if not findings.hosts:
        return ""
    return "kmapconv: spatch jobs per host: %s" % ", ".join(
        "%s %d" % (h, n) for h, n in sorted(findings.hosts.items()))
