# SPDX-License-Identifier: GPL-2.0-only
"""The post-patch LIFO audit: analysis/kmap-audit-tree on the farm.

The interface is the analysis contract: kmap-audit-tree --ksrc <tree>
--flags-cache-key <key> --format json FILE..., one JSON object per
finding on stdout (file, line, column, function, kind, message,
related), exit 0 clean, 1 findings, 2 error.  The farm is a scratch
tree, so the cache key is the real path of KSRC: the audit reuses the
configuration it prepared for the original tree.

When the audit is missing or fails, the result says so (status
"unavailable" or "failed" with the reason) and the review reports it;
it is never taken for a clean audit.
"""

import json
import os
import subprocess
from dataclasses import dataclass, field

from kmapconv import spatch

from . import model

SCRIPT = os.path.join("analysis", "kmap-audit-tree")
COMPDB = "compile_commands.json"
BINARY = os.path.join("analysis", "build", "kmap-audit")
# The audit parses whole translation units with libclang: a few seconds
# a file, more the first time (the flags cache is prepared then).
TIMEOUT = 1800


@dataclass
class AuditResult:
    status: str                     # model.AUDIT_*
    detail: str = ""
    findings: list = field(default_factory=list)    # JSON objects


def available(root):
    """(the kmap-audit-tree script, "") or (None, why it cannot run)."""
    script = os.path.join(root, SCRIPT)
    if not os.path.isfile(script):
        return None, "%s not found: the analysis component is not in " \
            "this checkout" % SCRIPT
    if not os.path.isfile(os.path.join(root, BINARY)):
        return None, "%s is not built: run make analysis" % BINARY
    return script, ""


def _last_line(text):
    """The tool's last word (progress lines such as "preparing ... (once)"
    come before the error)."""
    for line in reversed(text.splitlines()):
        if line.strip():
            return line.strip()
    return ""


def _run(argv):
    """(process, None) or (None, AuditResult saying why it failed).

    Exit 2 with findings on stdout and nothing on stderr is a run whose
    findings include parse errors (the functions holding one are not
    audited); the parse errors are findings like any other.
    """
    try:
        proc = subprocess.run(argv, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True,
                              errors="replace", timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return None, AuditResult(model.AUDIT_FAILED, "timed out after %d s"
                                 % TIMEOUT)
    except OSError as e:
        return None, AuditResult(model.AUDIT_FAILED, "cannot run %s: %s"
                                 % (SCRIPT, e))
    partial = proc.returncode == 2 and proc.stdout.startswith("{") and \
        not proc.stderr.strip()
    if proc.returncode not in (0, 1) and not partial:
        return None, AuditResult(model.AUDIT_FAILED, "exit %d: %s" % (
            proc.returncode, _last_line(proc.stderr) or "no message"))
    return proc, None


def farm_compdb(ksrc, farm_root):
    """KSRC's compile_commands.json made to name the farm's files, or
    None when KSRC has none.  With it the audit takes each file's own
    flags, and the farm's copy must point at the farm, not at KSRC."""
    path = os.path.join(ksrc, COMPDB)
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except OSError:
        return None
    # Paths in JSON strings: "/" may be written "\/", nothing else
    # changes in a path without quotes or backslashes.
    prefix = ksrc.rstrip(os.sep)
    for old, new in ((prefix + "/", farm_root + "/"),
                     (prefix.replace("/", "\\/") + "\\/",
                      farm_root.replace("/", "\\/") + "\\/"),
                     ('"%s"' % prefix, '"%s"' % farm_root)):
        text = text.replace(old, new)
    return text


def run(tree, files, ksrc, jobs, root=None):
    """Audit files (relative to tree, the farm over ksrc); an
    AuditResult."""
    if not files:
        return AuditResult(model.AUDIT_RAN, "no C file to audit")
    script, why = available(root or spatch.repo_root())
    if script is None:
        return AuditResult(model.AUDIT_UNAVAILABLE, why)
    # The configuration the flags come from is prepared once per tree
    # and cached under the tree's name.  Have it prepared from KSRC
    # itself, and kbuild asked for every file's flags in one run
    # (--print-flags does only that): prepared from the farm, it would
    # name the farm's paths, gone when the review ends.
    known = [f for f in files if os.path.isfile(os.path.join(ksrc, f))]
    if known and not os.path.isfile(os.path.join(ksrc, COMPDB)):
        _proc, failed = _run(["bash", script, "--ksrc", ksrc,
                              "--print-flags"] + known)
        if failed:
            return failed
    proc, failed = _run(["bash", script, "--ksrc", tree, "--flags-cache-key",
                         ksrc, "--jobs", str(jobs), "--format", "json"]
                        + list(files))
    if failed:
        return failed
    found = []
    for line in proc.stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            return AuditResult(model.AUDIT_FAILED, "malformed output: %s"
                               % line[:120])
        if not (isinstance(obj, dict) and isinstance(obj.get("file"), str)
                and isinstance(obj.get("line"), int)
                and isinstance(obj.get("kind"), str)):
            return AuditResult(model.AUDIT_FAILED, "malformed finding: %s"
                               % line[:120])
        # Paths into the scratch tree mean nothing once it is gone.
        if isinstance(obj.get("message"), str):
            obj["message"] = obj["message"].replace(
                tree.rstrip(os.sep) + os.sep, "")
        found.append(obj)
    if proc.returncode != 0 and not found:
        return AuditResult(model.AUDIT_FAILED, "exit 1 without findings: %s"
                           % (_last_line(proc.stderr) or "no message"))
    return AuditResult(model.AUDIT_RAN, "%d file%s audited" % (
        len(files), "" if len(files) == 1 else "s"), found)
