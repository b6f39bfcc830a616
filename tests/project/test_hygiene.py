# SPDX-License-Identifier: GPL-2.0-only
"""What the tree's text must not say: code and docs explain why, never
the ticket or the working day a line came from; every file cited as the
contract exists; every source file carries its licence."""

import re
import subprocess

from testlib import REPO

TEXT = (".py", ".c", ".h", ".md", ".mk", ".sh", ".cocci", ".pm")
HISTORY = re.compile(r"\bissues? ?#?\d+\b|\bwork session\b|\bthis session\b",
                     re.I)


def tracked(suffixes):
    out = subprocess.run(["git", "ls-files"], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout.split("\n")
    return [REPO / p for p in out
            if p.endswith(suffixes) or p in ("Makefile",)]


def test_no_issue_or_session_history_in_code_or_docs():
    hits = ["%s:%d: %s" % (path.relative_to(REPO), n, line.strip())
            for path in tracked(TEXT) if path.is_file()
            for n, line in enumerate(path.read_text(errors="replace")
                                     .split("\n"), 1)
            if HISTORY.search(line)]
    assert not hits


def test_cited_documents_exist():
    cited = re.compile(r"\bdocs/[\w.-]+\.md\b")
    missing = sorted({"%s cites %s" % (path.relative_to(REPO), doc)
                      for path in tracked(TEXT) if path.is_file()
                      for doc in cited.findall(path.read_text(
                          errors="replace"))
                      if not (REPO / doc).is_file()})
    assert not missing


def test_source_files_carry_the_licence():
    missing = [str(path.relative_to(REPO))
               for path in tracked((".py", ".c", ".h", ".sh", ".mk", ".cocci"))
               if path.is_file() and path.stat().st_size
               and "SPDX-License-Identifier: GPL-2.0-only"
               not in path.read_text(errors="replace")[:400]]
    assert not missing
