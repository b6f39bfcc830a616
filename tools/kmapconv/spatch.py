# SPDX-License-Identifier: GPL-2.0-only
"""spatch's command line, and reading what one run of it printed:
whether it failed, its JSON records and its patch-mode diffs, each
checked to name a file it was given.

The stages around it: groups.py (what each run is given), views.py (the
reduced copies it parses), batches.py (the runs, in parallel batches).
"""

import json
import os
import re

from kerneltree import checkout
from kerneltree.mapapi import JSON_ENV

from . import cache
from .errors import KmapconvError
from .groups import CONTEXT_PREFIX

DEFAULT_TIMEOUT = 120
# What in spatch's stderr means a file was not (fully) processed even
# when the exit status is 0: spatch reports per-file timeouts as
# "EXN: ...Timeout in FILE" and carries on.
_FAILURE_RE = re.compile(
    r"\btimeout\b|\bfatal error\b|^EXN:|^Traceback|Error in Python script",
    re.I | re.M)
_TIMEOUT_RE = re.compile(r"\btimeout\b", re.I)
TIMEOUT = cache.TIMEOUT_REASON


def default_cocci(name):
    """semantic-patches/<name> of the checkout, else of the cwd (for an
    installed package run from a checkout)."""
    relative = os.path.join("semantic-patches", name)
    return checkout.find(relative) or os.path.join(checkout.ROOT, relative)


# In patch mode the semantic patch writes its JSON records to the file
# JSON_ENV names.
JSON_SUFFIX = ".json"


def command(cocci, timeout=None, defines=(), patch=False):
    """spatch's argv for one batch; "{}" is where the groups file goes.

    patch: also rewrite (-D patch); diffs come on stdout relative to the
    tree (a/PATH, b/PATH), the records in "{}.json".
    """
    argv = ["spatch", "--very-quiet", "--no-includes"]
    if timeout is not None:
        argv += ["--timeout", str(timeout)]
    for name in defines:
        argv += ["-D", name]
    if patch:
        argv = ["env", "%s={}%s" % (JSON_ENV, JSON_SUFFIX)] + argv + [
            "-D", "patch", "--patch", "."]
    return argv + ["--sp-file", os.path.abspath(cocci),
                   "--file-groups", "{}"]


def failure(job, time_limit=None):
    """Why a job failed, or None if it did not.  time_limit: the batch's
    wall-clock limit (a job parallel killed at it timed out)."""
    if job.signal and time_limit and job.runtime >= time_limit - 1:
        return TIMEOUT
    if job.signal:
        return "spatch killed by signal %d" % job.signal
    lines = [l.strip() for l in job.stderr.splitlines() if l.strip()]
    flagged = [l for l in lines if _FAILURE_RE.search(l)]
    if any(_TIMEOUT_RE.search(l) for l in flagged):
        return TIMEOUT
    if job.exitval:
        return "spatch exit status %d: %s" % (job.exitval,
                                              lines[0] if lines
                                              else "no message")
    if flagged:
        # spatch's own "EXN: ..." line names the problem; a Python
        # traceback's first line ("Traceback ...") does not.
        exn = [l for l in flagged if l.startswith("EXN:")]
        return "spatch: %s" % (exn or flagged)[0]
    return None


_DIFF_HEAD_RE = re.compile(r"^diff -u -p a/(\S+) b/\S+$")


def split_diffs(text, files, context=()):
    """spatch's patch-mode stdout as {file: diff section}, for the given
    files only: context files (headers, or a .c file #included by
    another) are rewritten by their own group, and anything before the
    first section is chatter.  spatch may print a context file without
    its "./" marker, hence the explicit list."""
    given = set(files)
    skip = set(os.path.normpath(c) for c in context)
    sections = {}
    current = None
    for line in text.splitlines(keepends=True):
        m = _DIFF_HEAD_RE.match(line.rstrip("\n"))
        if m:
            path = m.group(1)
            current = None
            if path.startswith(CONTEXT_PREFIX):
                continue
            path = os.path.normpath(path)
            if path in skip and path not in given:
                continue
            if path not in given:
                raise KmapconvError("spatch rewrote %s, which it was not "
                                    "given" % path)
            current = sections.setdefault(path, [])
        if current is not None:
            current.append(line)
    return {path: "".join(lines) for path, lines in sections.items()}


# A "./path" reference in a reason names a context header: shown without
# the marker, like every other path.
_CONTEXT_REF_RE = re.compile(r"(?<![\w./-])\./(?=[\w-])")


def _json_lines(job):
    """The records: from the side file in patch mode, else stdout."""
    path = job.arg + JSON_SUFFIX
    if os.path.exists(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read().splitlines()
    return job.stdout.splitlines()


def parse_records(job, files):
    """The JSON records of a successful job, each checked to name one of
    the files it was given; records in context headers are dropped."""
    given = set(files)
    records = []
    for line in _json_lines(job):
        # Anything else on stdout is spatch's or a script's chatter.
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            raise KmapconvError("spatch printed malformed JSON: %s"
                                % line[:200])
        if not isinstance(obj, dict):
            raise KmapconvError("spatch printed malformed JSON: %s"
                                % line[:200])
        if isinstance(obj.get("file"), str):
            if obj["file"].startswith(CONTEXT_PREFIX):
                continue
            obj["file"] = os.path.normpath(obj["file"])
            if obj["file"] not in given:
                raise KmapconvError("spatch reported a site in %s, which "
                                    "it was not given: %s"
                                    % (obj["file"], line[:200]))
        if isinstance(obj.get("reasons"), list):
            obj["reasons"] = [_CONTEXT_REF_RE.sub("", r)
                              if isinstance(r, str) else r
                              for r in obj["reasons"]]
        records.append(obj)
    return records
