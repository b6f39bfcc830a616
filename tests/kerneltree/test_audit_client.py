# SPDX-License-Identifier: GPL-2.0-only
"""The kmap-audit client shares its jobs with other work through a gate:
each file's audit holds a token, so work that holds some of them first
(the review's classification) keeps the audit to the rest until it is
done, and the audit then gets every job."""

import threading
import time

from kerneltree import audit


def test_gate_limits_then_frees_the_audits(monkeypatch):
    running, most = [0], []
    lock = threading.Lock()

    def fake(tree, path, key, processes=None, limit=None):
        with lock:
            running[0] += 1
            most.append((path, running[0]))
        time.sleep(0.15)
        with lock:
            running[0] -= 1
        return audit.FileAudit([])

    monkeypatch.setattr(audit, "audit_file", fake)
    gate = threading.Semaphore(2)
    gate.acquire()          # other work holds one job
    result = {}
    worker = threading.Thread(target=lambda: result.update(audit.audit(
        "/t", ["a.c", "b.c", "c.c", "d.c"], "/t", 2, gate)))
    worker.start()
    time.sleep(0.2)
    assert max(n for _p, n in most) == 1    # one job left to the audit
    gate.release()          # the other work is done
    worker.join(5)
    assert max(n for _p, n in most) == 2    # then both
    assert sorted(result) == ["a.c", "b.c", "c.c", "d.c"]
    assert all(not a.failure for a in result.values())


def test_without_a_gate_every_job_is_used(monkeypatch):
    running, most = [0], [0]
    lock = threading.Lock()
    both = threading.Barrier(2, timeout=5)

    def fake(tree, path, key, processes=None, limit=None):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        both.wait()         # two at once, or this times out
        with lock:
            running[0] -= 1
        return audit.FileAudit([])

    monkeypatch.setattr(audit, "audit_file", fake)
    assert sorted(audit.audit("/t", ["a.c", "b.c"], "/t", 2)) == ["a.c",
                                                                   "b.c"]
    assert most[0] == 2
