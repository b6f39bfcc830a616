# SPDX-License-Identifier: GPL-2.0-only
"""Golden tests of the three renderings.

Each directory under golden/ holds a review as data (review.json: the
patch's hunks with their line numbers, the findings, the audit status)
and the expected report.md, report.sarif and review.txt.  The cases: a
two-patch series with errors of the review's own kinds and of the
audit's (with a related location) and a suggested diff; a clean review
with a Reviewed-by; the same without the audit.

After an intended change of the renderings, rewrite the expected files
with UPDATE_GOLDEN=1 and read the diff before committing it.
"""

import json
import re
from pathlib import Path

import pytest

import reviewlib  # noqa: F401  (sets the import paths)
from kmapreview import model, outputs
from sarif_check import check_sarif
from testlib import check_golden

GOLDEN = Path(__file__).resolve().parent / "golden"
CASES = sorted(p.name for p in GOLDEN.iterdir() if p.is_dir())
RENDERINGS = ("report.md", "report.sarif", "review.txt")


def test_cases_exist():
    assert CASES == ["clean", "errors-series", "no-audit"]


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("name", RENDERINGS)
def test_rendering(case, name):
    review = model.from_json((GOLDEN / case / "review.json").read_text())
    got = outputs.render(review)[name]
    check_golden(GOLDEN / case / name, got)


@pytest.mark.parametrize("case", CASES)
def test_review_json_round_trips(case):
    text = (GOLDEN / case / "review.json").read_text()
    assert model.to_json(model.from_json(text)) == text


@pytest.mark.parametrize("case", CASES)
def test_sarif_is_valid_and_matches_findings(case):
    review = model.from_json((GOLDEN / case / "review.json").read_text())
    sarif = json.loads((GOLDEN / case / "report.sarif").read_text())
    check_sarif(sarif)
    results = sarif["runs"][0]["results"]
    assert [(r["ruleId"], r["level"],
             r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in results] == [(f.kind, f.severity, f.line)
                                  for f in review.findings]
    notes = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert bool(notes) == (review.audit["status"] != "ran")


def test_verdicts():
    texts = {c: (GOLDEN / c / "review.txt").read_text() for c in CASES}
    assert "Reviewed-by: A Reviewer <reviewer@example.org>" in \
        texts["clean"]
    assert "Reviewed-by:" not in texts["no-audit"]
    assert "LIFO audit was not available" in texts["no-audit"]
    assert "Not ready: 3 errors must be fixed" in texts["errors-series"]
    md = (GOLDEN / "errors-series" / "report.md").read_text()
    assert "<details>" in md and "```diff" in md


def test_comments_sit_under_their_lines():
    text = (GOLDEN / "errors-series" / "review.txt").read_text()
    for quoted, comment in (
            ("> +\tc->addr = kmap_local_page(page);",
             "error (cross-thread-converted):"),
            ("> +\tkunmap_local(p);", "error (lifo-order):"),
            (">  \tleft = __copy_from_user_inatomic(p, buf, 16);",
             "error (atomic-dependency-dropped):")):
        assert "%s\n\n%s" % (quoted, comment) in text


def _mutations():
    """(what, change) pairs that each make a valid log invalid."""
    def drop(*path):
        def change(log):
            obj = log
            for key in path[:-1]:
                obj = obj[key]
            del obj[path[-1]]
        return change

    def setto(value, *path):
        def change(log):
            obj = log
            for key in path[:-1]:
                obj = obj[key]
            obj[path[-1]] = value
        return change
    res = ("runs", 0, "results", 0)
    loc = res + ("locations", 0, "physicalLocation")
    return [
        ("no version", drop("version")),
        ("version 2.0.0", setto("2.0.0", "version")),
        ("no driver name", drop("runs", 0, "tool", "driver", "name")),
        ("rule without id", drop("runs", 0, "tool", "driver", "rules", 0,
                                 "id")),
        ("no result message", drop(*res, "message")),
        ("no locations", setto([], *res, "locations")),
        ("ruleIndex elsewhere", setto(0, *res, "ruleIndex")),
        ("unknown ruleId", setto("no-such-rule", *res, "ruleId")),
        ("bad level", setto("fatal", *res, "level")),
        ("absolute uri", setto("/abs/fs/x/a.c", *loc, "artifactLocation",
                               "uri")),
        ("line 0", setto(0, *loc, "region", "startLine")),
        ("unknown property", setto(1, *res, "severity")),
        ("invocation without executionSuccessful",
         drop("runs", 0, "invocations", 0, "executionSuccessful")),
    ]


@pytest.mark.parametrize("what,change", _mutations(),
                         ids=[m[0] for m in _mutations()])
def test_sarif_check_rejects(what, change):
    log = json.loads((GOLDEN / "errors-series" / "report.sarif").read_text())
    check_sarif(log)
    change(log)
    with pytest.raises(AssertionError):
        check_sarif(log)


def test_workflow_example_runs_the_real_command():
    """The CI example calls kmapreview with options it accepts, uploads
    the SARIF the review writes and posts its report.md."""
    from kmapreview import cli
    text = (reviewlib.REPO / "reports" / "github-workflow.yml").read_text()
    start = text.index("python3 -m kmapreview")
    command = text[start:text.index("\n          echo", start)]
    args = re.findall(r"(--[a-z-]+) \"?([^\s\"]+)", command)
    assert [a for a, _v in args] == ["--base", "--head", "--ksrc", "--out"]
    ns = cli.parser().parse_args([x for pair in args for x in pair])
    assert ns.base and ns.head and ns.ksrc
    out = dict(args)["--out"].replace("$GITHUB_WORKSPACE/", "")
    assert "sarif_file: %s/report.sarif" % out in text
    assert "'%s/report.md'" % out in text
    assert "upload-sarif" in text and "security-events: write" in text


def test_workflow_example_is_valid_yaml():
    yaml = pytest.importorskip("yaml")
    text = (reviewlib.REPO / "reports" / "github-workflow.yml").read_text()
    wf = yaml.safe_load(text)
    # YAML 1.1 reads the key "on" as true; GitHub reads it as "on".
    assert "pull_request" in (wf.get("on") or wf.get(True))
    assert wf["permissions"]["security-events"] == "write"
    steps = wf["jobs"]["review"]["steps"]
    assert all(("uses" in s) != ("run" in s) for s in steps)
    upload = [s for s in steps
              if s.get("uses", "").startswith("github/codeql-action/"
                                              "upload-sarif@")]
    assert len(upload) == 1
    assert upload[0]["with"]["sarif_file"] == "kmap-review/report.sarif"
    review = [s for s in steps if s.get("id") == "review"][0]
    assert "python3 -m kmapreview" in review["run"]
