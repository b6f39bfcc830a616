# SPDX-License-Identifier: GPL-2.0-only
"""The one client of kmap-audit (analysis/): convert's audit and the
review run it through here.

analysis/kmap-audit-tree audits files of a kernel tree with the
kernel's own compiler flags and prints one JSON object per finding
(file, line, column, function, kind, message, related).  Its flags come
from a configuration prepared once per --flags-cache-key, so a patched
view of KSRC keyed by KSRC's real path reuses KSRC's.

Each file is audited by its own kmap-audit-tree process (JOBS of them
at a time): its exit status then says what happened to that file alone
(0 clean, 1 findings, 2 with findings: parse errors, 2 without: the
audit failed), which one run over all files cannot tell apart.

Problems that stop every file (no audit, flags that do not work, the
script's own complaints) raise AuditError; a file the audit could not
finish has its FileAudit.failure set.
"""

import json
import os
import signal
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from . import checkout


PARSE_ERROR = "parse-error"
# A not-audited note's words for a mapping still live at an exit after it
# was stored outside the function's frame (analysis/src/checks/leak.c):
# who releases it is beyond the function, in every configuration.
NOT_AUDITED_WHOLE = " was not audited whole: "
# Seconds one file's audit may take, the first one's configuration
# (allmodconfig + prepare, 20-90 s, waited for by the others) included:
# a guard against a hang, not a budget.
TIME_LIMIT = 900
# A parse error whose first error is in the flags (a forced -include
# that is not there) rather than in the file.
_FLAGS_BROKEN = "first: <command line>"
# How kmap-audit-tree's own errors (bad input, no configuration) begin.
_SCRIPT_ERROR = "kmap-audit-tree: "
# kmap-audit-tree honours this (a binary other than analysis/build's).
BINARY_ENV = "KMAP_AUDIT"


class AuditError(Exception):
    """kmap-audit cannot audit any file (the message says why)."""


def _analysis():
    return os.path.join(checkout.ROOT, "analysis")


def audit_tree():
    return os.path.join(_analysis(), "kmap-audit-tree")


def binary():
    return os.environ.get(BINARY_ENV) or os.path.join(
        _analysis(), "build", "kmap-audit")


def _last_line(text):
    """The last non-blank line of a tool's output, stripped ("" if
    none): kmap-audit-tree says what went wrong last."""
    lines = [l.strip() for l in (text or "").splitlines() if l.strip()]
    return lines[-1] if lines else ""


def available():
    """"" when the audit can run here, else why not (for a command that
    reports the audit as unavailable instead of building it)."""
    if not os.path.isfile(audit_tree()):
        return "%s not found: the analysis component is not in this " \
            "checkout" % os.path.relpath(audit_tree(), checkout.ROOT)
    if not os.access(binary(), os.X_OK):
        return "%s is not built: run make analysis" % os.path.relpath(
            binary(), checkout.ROOT)
    return ""


def ensure_built():
    """Build kmap-audit with make analysis when it is missing."""
    if not os.path.isfile(audit_tree()):
        raise AuditError("%s not found: the audit needs the checkout's "
                            "analysis/" % audit_tree())
    if os.access(binary(), os.X_OK):
        return
    if os.environ.get(BINARY_ENV):
        raise AuditError("%s=%s is not an executable file"
                            % (BINARY_ENV, binary()))
    try:
        proc = subprocess.run(["make", "-s", "analysis"],
                              cwd=checkout.ROOT,
                              stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, errors="replace")
    except OSError as e:
        raise AuditError("cannot run make analysis: %s" % e)
    if proc.returncode != 0 or not os.access(binary(), os.X_OK):
        raise AuditError("make analysis failed (exit %d): %s"
                            % (proc.returncode,
                               (proc.stderr.strip().splitlines() or
                                ["no message"])[0]))


@dataclass
class FileAudit:
    """What kmap-audit said about one file."""
    findings: list = field(default_factory=list)   # JSON objects
    failure: str = None      # why the audit itself failed, else None


def _parse(stdout, path):
    findings = []
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            raise AuditError("kmap-audit-tree printed malformed JSON "
                                "for %s: %s" % (path, line[:200]))
        if not isinstance(obj, dict) or not isinstance(
                obj.get("kind"), str):
            raise AuditError("kmap-audit-tree printed a finding without "
                                "a kind for %s: %s" % (path, line[:200]))
        obj["file"] = path
        obj.setdefault("function", "")
        obj.setdefault("message", "")
        findings.append(obj)
    return findings


class _Processes:
    """The kmap-audit-tree processes running now, each in its own
    process group: a time limit or an interrupt ends the script and the
    kmap-audit it started together."""

    def __init__(self):
        self.running = set()
        self.lock = threading.Lock()

    def run(self, argv, limit):
        """(exit status, stdout, stderr); status None after the limit."""
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE,
                                    universal_newlines=True,
                                    errors="replace", start_new_session=True)
        except OSError as e:
            raise AuditError("cannot run %s: %s" % (argv[0], e))
        with self.lock:
            self.running.add(proc)
        try:
            out, err = proc.communicate(timeout=limit)
            return proc.returncode, out, err
        except subprocess.TimeoutExpired:
            self.stop(proc)
            out, err = proc.communicate()
            return None, out, err
        finally:
            with self.lock:
                self.running.discard(proc)

    @staticmethod
    def stop(proc):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            pass            # gone already

    def stop_all(self):
        with self.lock:
            for proc in list(self.running):
                self.stop(proc)


def audit_file(tree, path, key, processes=None, limit=TIME_LIMIT):
    """FileAudit of one file (relative to tree)."""
    argv = [audit_tree(), "--ksrc", tree, "--flags-cache-key", key,
            "--format", "json", "--jobs", "1", "--", path]
    status, stdout, stderr = (processes or _Processes()).run(argv, limit)
    if status is None:
        return FileAudit([], "kmap-audit-tree did not finish in %d s"
                         % limit)
    findings = _parse(stdout, path)
    for finding in findings:
        if finding["kind"] == PARSE_ERROR and _FLAGS_BROKEN in \
                finding["message"]:
            # Not the file's fault: every file would fail the same way,
            # and each would read as a rewrite that does not compile.
            raise AuditError("kmap-audit-tree's compiler flags do not "
                                "work (%s: %s)" % (path, finding["message"]))
    if status in (0, 1) or (status == 2 and findings):
        return FileAudit(findings)
    message = _last_line(stderr) or "no message"
    if message.startswith(_SCRIPT_ERROR):
        # The script's own complaint (no clang, the configuration does
        # not prepare, ...): no file can be audited.
        raise AuditError(message)
    # kmap-audit itself stopped on this file (a crash, say).
    return FileAudit(findings, "kmap-audit-tree exit %d: %s"
                     % (status, message))


def prepare(ksrc_dir, paths):
    """Have kmap-audit-tree prepare KSRC's configuration (once per tree;
    quick when it is there) and kbuild's flags of the objects of paths
    (one make run for all; cached) before any patched view is audited.

    The configuration names the tree it was prepared from and is reused
    for every view of KSRC: prepared from a view, it would name a
    directory that is gone after the run.  A tree with its own
    compile_commands.json needs no configuration.
    """
    if os.path.isfile(os.path.join(ksrc_dir, "compile_commands.json")):
        return
    if isinstance(paths, str):
        paths = [paths]
    paths = [p for p in paths if os.path.isfile(os.path.join(ksrc_dir, p))]
    if not paths:
        return
    argv = [audit_tree(), "--ksrc", ksrc_dir, "--flags-cache-key", ksrc_dir,
            "--print-flags"] + paths
    status, _, stderr = _Processes().run(argv, TIME_LIMIT)
    if status != 0:
        raise AuditError(_last_line(stderr) or
                            "kmap-audit-tree cannot prepare the flags of %s"
                            % ksrc_dir)


def audit(tree, files, key, jobs, gate=None):
    """{file: FileAudit} for files (relative to tree), JOBS at a time;
    with gate (a semaphore shared with other work), each file's audit
    also holds one of its tokens."""
    if not files:
        return {}
    processes = _Processes()
    pool = ThreadPoolExecutor(max_workers=max(1, jobs))

    def one(f):
        if gate is None:
            return audit_file(tree, f, key, processes)
        with gate:
            return audit_file(tree, f, key, processes)

    try:
        return dict(zip(files, pool.map(one, files)))
    except BaseException:
        # An interrupt or an error: nothing more to wait for.
        pool.shutdown(wait=False, cancel_futures=True)
        processes.stop_all()
        raise
    finally:
        pool.shutdown(wait=True)
