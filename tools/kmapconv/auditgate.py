# SPDX-License-Identifier: GPL-2.0-only
"""convert --verify (make convert VERIFY=1): audit convert's own rewrite
with kmap-audit and take back what the audit flags.

Round by round, at most MAX_ROUNDS times:

1. The patch as it stands is applied to a patched view of KSRC
   (patchedcopy.py) and kmap-audit audits every .c file it changes
   (kerneltree.audit), with the flags of KSRC's configuration (prepared
   from KSRC before the first view).  Headers are not audited on their
   own: kmap-audit walks only the functions of the file it is given.
2. Only findings the rewrite brought count.  A file with findings is
   audited once more without the patch, in KSRC, and a finding the
   unpatched file has too is pre-existing: same function, kind and
   message, with line and column numbers and the tree's path left out,
   and kmap_atomic()/kunmap_atomic() read as kmap_local_page()/
   kunmap_local() (the audit names the call it saw).  Counted as a
   multiset: a second such finding in the function is new.  The audit
   does not follow kmap()/kunmap() pairs, so a defect that a kmap()
   site had all along (a use after kunmap(), a leak) is new once the
   site is local: rightly, since only the local mapping makes it fatal.
3. A new finding in a function with a rewritten site demotes that
   function.  A new finding anywhere else in the file (a function the
   patch did not rewrite, whose callee it changed), a new parse error
   (a file-level finding: functions containing an error are not
   audited, so the rewrite of any of them is unchecked) or an audit
   that fails only with the patch demotes every rewritten function of
   the file.  Pre-existing parse errors and failures are reported, not
   held against the rewrite.  So is a function the audit could not
   check with or without the patch (preprocessed out or holding a
   compile error under the audit's configurations): the sites the
   semantic patch proved there stay rewritten, and their records say
   the audit did not check them ("unchecked").
4. The files with demoted functions are analysed again by spatch with
   KMAP_LOCAL_DENY naming the functions and the findings: the semantic
   patch plans every site in them manual, with the finding in its
   suggestion, and rewrites the rest of the file as before.  Those
   files are what the next round audits.

A file still flagged after the last round, or one whose re-run fails,
is held back whole: its rewritten sites become manual and it leaves
the patch.  So the patch convert writes has no finding the audit can
pin on the rewrite.

The audit is also the judge of what the semantic patch could not show.
spatch runs with KMAP_LOCAL_PROVE=1, so a site that only paths the
script cannot follow kept from a rewrite (a condition repeated, a
pointer NULL unless mapped) is rewritten, and its record names those
paths ("unproven").  Any finding in such a function, new or there
before, and a function the audit could not check (not-audited, a header,
a failed audit) refutes them: the function is re-run with a denial of
scope "unproven", which makes only those sites manual, with the audit's
finding as their reason.  The rest of the function's rewrite stands,
and is audited again in the next round.  Sites still unproven when the
rounds end were proved: their records say so ("proved").

A finding the code had before the rewrite is no reason to demote,
with one exception: a use of a rewritten site's own address after its
unmap.  A maintainer does not take a conversion of the very lines of a
bug that leaves the bug, so those sites are re-run with a denial of
scope "sites" (their lines): manual, with the finding and the advice to
fix it first; the rest of the function's rewrite stands.

A site left manual for other reasons may carry such paths among its
reasons too ("unfollowed").  After the rounds the audit follows them in
the code as it is, where it tracks kmap_atomic() (not kmap()), and
spatch runs once more on those files with its verdicts (deny entries of
scope "paths"): proved, refuted with its finding, or unchecked.  Only
what the records say changes; a file whose diff would change keeps its
first records.

The spatch re-runs use the results cache under the same rule set,
with each file's denials mixed into its key (a result with denials
never stands for one without), and run on this machine even with
HOSTS=: a remote would not have the deny file.
"""

import hashlib
import json
import os
import re
import shutil
import sys
import tempfile
from collections import Counter, defaultdict

from kerneltree import audit
from kerneltree.mapapi import (DENY_ENV, PATHS_PROVED, PATHS_REFUTED,
                               PATHS_SCOPE, PATHS_UNCHECKED)

from . import batches, cache, patchedcopy
from .errors import KmapconvError

# A refuted candidate costs a round before the rest of its function is
# judged on its own.
MAX_ROUNDS = 4
# The scopes of a denial (the semantic patch's plan.WHOLE,
# plan.UNPROVEN, plan.SITES).
WHOLE, UNPROVEN, SITES = "function", "unproven", "sites"
# A file kmap-audit failed on (only with the patch): a finding of the
# whole file, like a parse error.
AUDIT_FAILED = "audit-failed"
# Findings quoted per demoted function; the rest are counted.
QUOTED = 3

_RENAMES = ((re.compile(r"\bkunmap_atomic\("), "kunmap_local("),
            (re.compile(r"\bkmap_atomic\("), "kmap_local_page("))
_LINE_RE = re.compile(r"\b(lines?) \d+")
_POS_RE = re.compile(r":\d+(?::\d+)?\b")


# -- which findings are new ----------------------------------------------

def signature(finding, trees=()):
    """What identifies a finding across the patched and unpatched file."""
    if finding["kind"] == AUDIT_FAILED:
        return ("", AUDIT_FAILED, "")
    message = finding.get("message", "")
    for tree in trees:
        message = message.replace(tree.rstrip("/") + "/", "")
    message = _POS_RE.sub(":N", _LINE_RE.sub(r"\1 N", message))
    for pattern, name in _RENAMES:
        message = pattern.sub(name, message)
    return (finding.get("function", ""), finding["kind"], message)


def split_new(before, after, trees=()):
    """(new, kept): the findings of after that before does not have,
    and those it has (see above)."""
    left = Counter(signature(f, trees) for f in before)
    new, kept = [], []
    for finding in after:
        sig = signature(finding, trees)
        if left[sig]:
            left[sig] -= 1
            kept.append(finding)
        else:
            new.append(finding)
    return new, kept


def findings_of(path, result):
    """A FileAudit as findings; a failed audit is one AUDIT_FAILED."""
    found = list(result.findings)
    if result.failure:
        found.append({"file": path, "line": 0, "column": 0, "function": "",
                      "kind": AUDIT_FAILED, "message": result.failure,
                      "related": []})
    return found


# -- what they demote ------------------------------------------------------

# The audit's note for a function it could not audit (preprocessed out,
# a compile error, the path budget): a rewrite there is unproven.
NOT_AUDITED = "not-audited"


def _file_wide(finding):
    return finding["kind"] in (audit.PARSE_ERROR, AUDIT_FAILED) \
        or not finding.get("function")


def targets(finding, rewritten):
    """The rewritten functions (of the finding's file) a new finding
    demotes."""
    if not _file_wide(finding) and finding["function"] in rewritten:
        return [finding["function"]]
    return sorted(rewritten)


def describe(finding, function):
    """One finding as the reason a function is demoted."""
    if finding["kind"] == AUDIT_FAILED:
        return "the audit fails on the rewritten file (%s)" % (
            finding["message"])
    where = ("at line %d of the rewritten file" % finding["line"]
             if finding.get("line") else "in the rewritten file")
    if finding.get("function") and finding["function"] != function:
        where = "in %s() %s" % (finding["function"], where)
    return "%s %s: %s" % (finding["kind"], where, finding["message"])


# A use of an address after its unmap that the code had before the
# rewrite: the finding names the address ("'v' passed to f() after
# kunmap_local() at line 335 released its mapping").
USE_AFTER_UNMAP = "use-after-unmap"
_USED_NAME_RE = re.compile(r"^'([^']+)' ")
CARRIED = ("the rewrite would carry it into the lines it changes: fix it "
           "first (every use of the address before its unmap), then "
           "convert")


def carried_bugs(kept, before, sites, path, trees=()):
    """[(finding, lines)]: the findings of path that the code had before
    the rewrite and the rewrite would carry into lines it changes (a use
    after its unmap of the address of a site it rewrites), as found in
    the code as it is (before: the unpatched file's findings), with the
    lines of those sites.  A maintainer does not take a conversion of
    the very lines of a bug that leaves the bug: those sites are
    demoted, and the rest of the function's rewrite stands."""
    rewritten = defaultdict(list)      # (function, address) -> [line]
    for s in sites:
        if s["file"] == path and s["action"] == "rewritten" and \
           s.get("address"):
            rewritten[(s["function"], s["address"])].append(s["line"])
    as_is = {signature(f, trees): f for f in before}
    carried = []
    for f in kept:
        m = f["kind"] == USE_AFTER_UNMAP and _USED_NAME_RE.match(
            f.get("message", ""))
        lines = m and rewritten.get((f.get("function"), m.group(1)))
        if lines:
            carried.append((as_is.get(signature(f, trees), f), lines))
    return carried


def describe_carried(finding):
    """A bug the code has, as the reason its site is not rewritten."""
    return "%s at line %d of the code as it is: %s; %s" % (
        finding["kind"], finding["line"], finding["message"], CARRIED)


def carried_suggestion(finding):
    """What a maintainer does with a site whose address the code already
    uses after its unmap."""
    return ("fix the use of the address after its unmap first (line %d: "
            "%s): every use before the unmap; then convert"
            % (finding["line"], finding["message"]))


# -- the sites whose paths the audit is to prove -------------------------

# A candidate in a header: the audit walks the functions of the .c
# files it is given, never a header on its own.
NOT_IN_C_FILE = "not-in-c-file"


def candidates(sites):
    """{file: {function: [line]}} of the rewritten sites left to the
    audit."""
    found = defaultdict(dict)
    for site in sites:
        if site["action"] == "rewritten" and site.get("unproven"):
            found[site["file"]].setdefault(site["function"], []).append(
                site["line"])
    return found


def refuting(findings, function):
    """The findings that leave function's unproven paths unproven: any
    in the function (new or there before: a leak the legacy mapping has
    too is still a path that leaves it live), and a failed audit."""
    return [f for f in findings if f.get("function") == function
            or f["kind"] == AUDIT_FAILED]


def refuted_suggestion(finding):
    """What a maintainer does with a candidate the audit refuted."""
    if finding["kind"] == NOT_AUDITED and \
            audit.NOT_AUDITED_WHOLE in finding["message"]:
        return ("the mapping leaves the function kept in an object (through "
                "a parameter, or by a callee it is given to): find who "
                "unmaps it and when; a local mapping must be unmapped by "
                "this thread, in reverse order of mapping, so if another "
                "function or context releases it, keep the current mapping "
                "call, or convert the map and the unmap helpers together "
                "by hand")
    if finding["kind"] in (NOT_AUDITED, AUDIT_FAILED, audit.PARSE_ERROR,
                           NOT_IN_C_FILE):
        return ("kmap-audit could not check this function, so the paths "
                "the script could not follow are unproven: check each by "
                "hand (is the mapping unmapped on it?) before converting, "
                "or keep the current mapping call")
    if finding["kind"] == "leak":
        return ("read the path kmap-audit names: if it can happen, the "
                "mapping is left live on it today too, a bug to fix first "
                "(an unmap on that path); if it cannot, convert by hand")
    return ("the rewrite breaks a rule of local mappings on the path "
            "kmap-audit names: keep the current mapping call, or "
            "restructure the function by hand so that it holds")


# -- the paths of sites left manual for other reasons -------------------

# The legacy calls kmap-audit follows as mappings (it leaves kmap() and
# kunmap() alone).
AUDIT_FOLLOWS = ("kmap_atomic",)


def path_verdict(findings, function, line):
    """(verdict, detail) of kmap-audit on the paths from the map at line
    of function, from its findings on the file as it is: it could not
    check the function (why), a leak of that map (the finding), or every
    path unmaps it.  The semantic patch words the reason."""
    failed = [f for f in findings if f["kind"] == AUDIT_FAILED]
    notes = [f for f in findings if f["kind"] == NOT_AUDITED
             and f.get("function") == function]
    if failed or notes:
        return PATHS_UNCHECKED, (failed[0]["message"] if failed else
                                 _unchecked_why(notes[0]["message"]))
    at = re.compile(r"\bat line %d\b" % line)
    leaks = [f for f in findings if f["kind"] == "leak"
             and f.get("function") == function and at.search(f["message"])]
    if leaks:
        return PATHS_REFUTED, "leak at line %d: %s" % (
            leaks[0]["line"], leaks[0]["message"])
    return PATHS_PROVED, ""


def forget_unfollowed(outcome):
    """The paths left to the audit in the code as it is are its business
    alone: records do not keep them."""
    for record in outcome.records:
        if isinstance(record, dict):
            record.pop("unfollowed", None)


def reason_text(reasons):
    text = "; ".join(reasons[:QUOTED])
    if len(reasons) > QUOTED:
        text += "; and %d more" % (len(reasons) - QUOTED)
    return text


def rewritten_functions(sites):
    """{file: {function}} of the rewritten sites."""
    found = defaultdict(set)
    for site in sites:
        if site["action"] == "rewritten":
            found[site["file"]].add(site["function"])
    return found


def with_env(argv, name, value):
    """spatch's argv (it may already start with env) with NAME=value, in
    place of a value it gave NAME before."""
    if argv and argv[0] == "env":
        return argv[:1] + ["%s=%s" % (name, value)] + [
            a for a in argv[1:] if not a.startswith(name + "=")]
    return ["env", "%s=%s" % (name, value)] + list(argv)


class DeniedCache(cache.ResultCache):
    """The results cache, with the denials of each file in its key."""

    def __init__(self, ruleset, timeout, top, denials):
        super().__init__(ruleset, timeout, top)
        self.denials = denials      # file -> [deny entry]

    def key(self, ksrc_dir, path, headers):
        base = cache.ResultCache.key(ksrc_dir, path, headers)
        if base is None:
            return None
        entries = json.dumps(self.denials.get(path, []), sort_keys=True)
        return hashlib.sha256(("kmapconv denials\0%s\0%s" % (
            base, entries)).encode("utf-8", "surrogateescape")).hexdigest()


# -- the rounds ------------------------------------------------------------

def _say(show, text):
    if show:
        print("kmapconv: VERIFY: " + text, file=sys.stderr, flush=True)


def _unchecked_why(note):
    """The why of a not-audited note ("f() uses kmap_local_page() but
    was not audited: it is preprocessed out (#if) under this
    configuration"), or the note whole."""
    head, sep, why = note.partition(" was not audited: ")
    return why if sep else note


def _brief(finding):
    keep = ("file", "line", "column", "function", "kind", "message")
    return {k: finding[k] for k in keep if k in finding}


class Gate:
    """One convert --verify.  run() changes the spatch outcome in place
    (records and diffs of the files it re-ran or held back) and returns
    what OUT/audit.json holds."""

    def __init__(self, ksrc, argv, timeout, jobs, run_settings, sites_of,
                 patch_of):
        self.ksrc = ksrc                    # real path of KSRC
        self.argv = argv                    # spatch's command of the run
        self.timeout = timeout
        self.jobs = jobs
        self.settings = run_settings
        self.sites_of = sites_of            # outcome -> sites
        self.patch_of = patch_of            # outcome -> patch text
        self.show = run_settings.show_progress
        self.denied = {}        # (file, function) -> [reason]
        self.denied_round = {}  # (file, function) -> round
        self.scope = {}         # (file, function) -> WHOLE, UNPROVEN, SITES
        self.advice = {}        # (file, function) -> advice (UNPROVEN, SITES)
        self.refuted_lines = {}  # (file, function) -> [line] (UNPROVEN)
        self.carried_lines = {}  # (file, function) -> [line] (SITES)
        self.held = {}          # file -> reason
        self.held_round = {}
        self.baseline = {}      # file -> findings without the patch
        self.not_audited = {}   # file -> why (fails with and without)
        self.notes = {}         # file -> not-audited notes, patched file
        self.pre_existing = {}  # file -> findings the rewrite kept
        self.rounds = []
        self.reruns = 0
        self.judged = []        # kmap-audit's word on unfollowed paths
        self._ruleset = None

    def run(self, outcome):
        audit.ensure_built()
        first = self.sites_of(outcome)
        # Real path: kmap-audit-tree names files under the tree's.
        work = os.path.realpath(tempfile.mkdtemp(prefix="kmapconv-verify-"))
        try:
            files = self._audited(outcome, outcome.diffs)
            if files:
                audit.prepare(self.ksrc, files)
            converged = True
            for number in range(1, MAX_ROUNDS + 1):
                if not files:
                    converged = True    # every flagged rewrite is gone
                    break
                converged = self._round(number, outcome, files, work)
                if converged:
                    break
                files = self._audited(outcome, self.rounds[-1]["rerun"])
            self._judge_unfollowed(outcome, work)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self._settle_proofs(outcome)
        self._mark_unchecked(outcome)
        return self._summary(first, self.sites_of(outcome), converged,
                             set(outcome.diffs))

    def _audit_unpatched(self, paths):
        """The findings of paths in KSRC as they are (self.baseline),
        each file audited once per run."""
        unknown = [p for p in paths if p not in self.baseline]
        if unknown:
            before = audit.audit(self.ksrc, unknown, self.ksrc, self.jobs)
            for path in unknown:
                self.baseline[path] = findings_of(path, before[path])

    def _audited(self, outcome, paths):
        """The .c files of paths that the patch changes now."""
        return sorted(p for p in paths if p.endswith(".c")
                      and p in outcome.diffs and p not in outcome.failed
                      and p not in self.held)

    def _round(self, number, outcome, files, work):
        """Audit files; demote and re-run what the rewrite broke.
        True when nothing new was found."""
        view = os.path.join(work, "round-%d" % number)
        patch_file = os.path.join(work, "round-%d.patch" % number)
        with open(patch_file, "w", encoding="utf-8",
                  errors="surrogateescape") as f:
            f.write(self.patch_of(outcome))
        patchedcopy.make(self.ksrc, view, patch_file)
        _say(self.show, "round %d: auditing %d rewritten files"
             % (number, len(files)))
        after = audit.audit(view, files, self.ksrc, self.jobs)
        for result in after.values():
            # The view is gone after the run: name its files as in KSRC.
            for finding in result.findings:
                finding["message"] = finding["message"].replace(
                    view + "/", "")
        flagged = [p for p in files if findings_of(p, after[p])]
        unknown = [p for p in flagged if p not in self.baseline]
        if unknown:
            _say(self.show, "round %d: auditing %d of them without the "
                 "patch" % (number, len(unknown)))
            self._audit_unpatched(unknown)
        trees = (view, self.ksrc)
        new = {}
        now = self.sites_of(outcome)
        rewritten_now = rewritten_functions(now)
        judged = candidates(now)
        refuted = defaultdict(list)     # (file, function) -> findings
        carried = {}                    # file -> carried_bugs()
        for path in sorted(judged):
            if path not in files and not path.endswith(".c"):
                for function in judged[path]:
                    refuted[(path, function)].append({
                        "file": path, "line": 0, "function": function,
                        "kind": NOT_IN_C_FILE, "message": "%s() is in a "
                        "header, and kmap-audit audits .c files"
                        % function})
        for path in files:
            fresh, kept = split_new(self.baseline.get(path, []),
                                    findings_of(path, after[path]), trees)
            # A function the audit could not check (preprocessed out, a
            # compile error under the configuration) keeps the semantic
            # patch's verdict on the sites it proved: its records say
            # the audit did not check them (_mark_unchecked), and its
            # candidates are refuted below.  A note is never new: the
            # unpatched function had no note when it used only kmap(),
            # which the audit does not follow, and a compile error the
            # rewrite brings is a new parse error of the file.
            self.notes[path] = [f for f in fresh + kept
                                if f["kind"] == NOT_AUDITED]
            fresh = [f for f in fresh if f["kind"] != NOT_AUDITED]
            self.pre_existing[path] = kept
            failed = [f for f in kept if f["kind"] == AUDIT_FAILED]
            if failed:
                self.not_audited[path] = failed[0]["message"]
            else:
                self.not_audited.pop(path, None)
            for function in judged.get(path, ()):
                against = refuting(fresh + self.notes[path] + [
                    f for f in kept if f["kind"] != NOT_AUDITED], function)
                if against:
                    refuted[(path, function)] = against
            # A refuted candidate's function is judged again without it
            # next round: its findings wait till then (there is no next
            # round after the last).
            if number < MAX_ROUNDS:
                fresh = [f for f in fresh
                         if (path, f.get("function")) not in refuted]
            if fresh:
                new[path] = fresh
            found = carried_bugs(kept, self.baseline.get(path, []), now,
                                 path, trees)
            if found:
                carried[path] = found
        record = {"round": number, "audited": files,
                  "new": [], "carried": [], "denied": [], "held_back": [],
                  "rerun": [],
                  "refuted": [dict(_brief(f[0]), file=key[0],
                                   function=key[1])
                              for key, f in sorted(refuted.items())]}
        self.rounds.append(record)
        if not new and not refuted and not carried:
            return True
        demote = defaultdict(list)
        for path in sorted(new):
            for finding in new[path]:
                hit = targets(finding, rewritten_now.get(path, ()))
                record["new"].append(dict(_brief(finding), demotes=hit))
                for function in hit:
                    demote[(path, function)].append(
                        describe(finding, function))
                if not hit or number == MAX_ROUNDS:
                    self.held.setdefault(path, describe(finding, None))
                    self.held_round.setdefault(path, number)
        for path in sorted(p for p in new if p in self.held):
            record["held_back"].append({"file": path,
                                        "reason": self.held[path]})
        whole = set(demote)
        for key, against in refuted.items():
            if key not in whole and key[0] not in self.held:
                demote[key] = [describe(f, key[1]) for f in against]
                self.advice[key] = refuted_suggestion(against[0])
                self.refuted_lines.setdefault(key, []).extend(
                    judged[key[0]][key[1]])
        for path in sorted(p for p in carried if p not in self.held):
            for finding, lines in carried[path]:
                key = (path, finding["function"])
                record["carried"].append(dict(_brief(finding),
                                              demotes=[key[1]]))
                if key in demote or key in self.scope:
                    # One denial a function: with another, it is whole.
                    whole.add(key)
                else:
                    self.advice[key] = carried_suggestion(finding)
                    self.carried_lines.setdefault(key, []).extend(lines)
                demote[key].append(describe_carried(finding))
        rerun = sorted({path for path, _ in demote if path not in self.held})
        for key in sorted(demote):
            if key[0] not in rerun:
                continue
            if key in whole or self.scope.get(key) == WHOLE:
                self.scope[key] = WHOLE
            elif key in self.carried_lines:
                self.scope[key] = SITES
            else:
                self.scope[key] = UNPROVEN
            self.denied.setdefault(key, []).extend(demote[key])
            self.denied_round.setdefault(key, number)
            record["denied"].append({"file": key[0], "function": key[1],
                                     "scope": self.scope[key],
                                     "reason": reason_text(demote[key])})
        if rerun:
            _say(self.show, "round %d: %d functions in %d files demoted; "
                 "running spatch on those files again"
                 % (number, len(record["denied"]), len(rerun)))
            self._rerun(outcome, rerun, work, number)
            record["rerun"] = [p for p in rerun if p not in self.held]
        self._hold_back(outcome)
        return False

    def _deny_entries(self):
        by_file = defaultdict(list)
        for (path, function), reasons in sorted(self.denied.items()):
            entry = {"file": path, "function": function,
                     "reason": reason_text(reasons)}
            scope = self.scope[(path, function)]
            if scope in (UNPROVEN, SITES):
                lines = (self.refuted_lines if scope == UNPROVEN else
                         self.carried_lines)[(path, function)]
                entry.update(scope=scope,
                             suggestion=self.advice[(path, function)],
                             lines=sorted(lines))
            by_file[path].append(entry)
        return by_file

    def _spatch_with(self, entries, files, work, label):
        """spatch again on files, given the audit's word: entries,
        {file: [JSON line]}."""
        deny_file = os.path.join(work, "deny-%s.jsonl" % label)
        with open(deny_file, "w", encoding="utf-8") as f:
            for path in sorted(entries):
                for entry in entries[path]:
                    f.write(json.dumps(entry, sort_keys=True) + "\n")
        result_cache = None
        if self.settings.use_cache:
            if self._ruleset is None:
                self._ruleset = cache.ruleset_id(self.argv)
            result_cache = DeniedCache(self._ruleset, self.timeout,
                                       self.settings.cache_dir, entries)
        scratch = os.path.join(work, "spatch-%s" % label)
        os.mkdir(scratch)
        again = spatch_again(self.ksrc, files, self.jobs,
                             with_env(self.argv, DENY_ENV, deny_file),
                             scratch, self.settings, result_cache)
        self.reruns += again.analysed
        return again

    def _rerun(self, outcome, files, work, number):
        """spatch again on files, with every denial so far."""
        again = self._spatch_with(self._deny_entries(), files, work,
                                  number)
        for path in files:
            if path in again.failed:
                self.held[path] = ("spatch failed on it when run again "
                                   "with the audit's findings: %s"
                                   % again.failed[path])
                self.held_round[path] = number
        replace_files(outcome, [p for p in files if p not in again.failed],
                      again)

    def _judge_unfollowed(self, outcome, work):
        """Sites left manual for other reasons may also carry paths the
        script could not follow ("unfollowed": it cannot tell a real
        leak from a condition repeated or a pointer NULL unless mapped).
        kmap-audit follows them in the code as it is, where it tracks
        kmap_atomic() as it does the local mapping (not kmap(), which it
        leaves alone), and its word replaces the guess: spatch runs on
        those files again with the verdicts.  Their rewrite must come
        out the same (a verdict only changes what a record says); a file
        whose diff would change keeps its first records."""
        asked = defaultdict(list)      # file -> [(function, line)]
        for record in outcome.records:
            if isinstance(record, dict) and record.get("unfollowed") and \
               record.get("api") in AUDIT_FOLLOWS and \
               record["file"].endswith(".c") and \
               record["file"] not in self.held and \
               record["file"] not in outcome.failed:
                asked[record["file"]].append((record["function"],
                                              record["line"]))
        if not asked:
            return
        files = sorted(asked)
        _say(self.show, "judging the paths of %d manual sites in %d files "
             "in the code as it is" % (sum(map(len, asked.values())),
                                       len(files)))
        self._audit_unpatched(files)
        entries = self._deny_entries()
        for path in files:
            for function, line in sorted(asked[path]):
                verdict, detail = path_verdict(self.baseline[path],
                                               function, line)
                entries[path].append({
                    "file": path, "function": function, "lines": [line],
                    "scope": PATHS_SCOPE, "verdict": verdict,
                    "detail": detail})
                self.judged.append({"file": path, "function": function,
                                    "line": line, "verdict": verdict})
        again = self._spatch_with(entries, files, work, "paths")
        same = [p for p in files if p not in again.failed
                and again.diffs.get(p) == outcome.diffs.get(p)]
        replace_files(outcome, same, again)
        kept = set(files) - set(same)
        self.judged = [j for j in self.judged if j["file"] not in kept]

    def _settle_proofs(self, outcome):
        """Candidates still rewritten were proved; elsewhere (held
        back) there is nothing left to prove."""
        forget_unfollowed(outcome)
        for record in outcome.records:
            paths = record.pop("unproven", None) if isinstance(
                record, dict) else None
            if not paths or record.get("action") != "rewritten":
                continue
            record["proved"] = paths
            record["reasons"] = list(record.get("reasons", [])) + [
                "kmap-audit followed every path of %s() in the rewritten "
                "file: none leaves the mapping live, unmaps out of LIFO "
                "order or uses the address after its unmap (the script "
                "alone could not show it: %s)"
                % (record["function"], "; ".join(paths))]

    def _unchecked_notes(self):
        """{(file, function): the audit's note} of the functions with a
        rewrite that the audit could not check, with or without the
        patch."""
        return {(path, f["function"]): f["message"]
                for path, notes in self.notes.items() for f in notes}

    def _mark_unchecked(self, outcome):
        """Rewritten sites in a function the audit could not check rest
        on the semantic patch's reasoning alone: their records say so."""
        notes = self._unchecked_notes()
        for record in outcome.records:
            if not isinstance(record, dict) or record.get(
                    "action") != "rewritten":
                continue
            note = notes.get((record.get("file"), record.get("function")))
            if note is None:
                continue
            record["unchecked"] = note
            record["reasons"] = list(record.get("reasons", [])) + [
                "kmap-audit could not check %s() (%s): this rewrite rests "
                "on the semantic patch's reasoning alone"
                % (record["function"], _unchecked_why(note))]

    def _hold_back(self, outcome):
        """Held files: rewritten sites manual, their diffs gone."""
        for record in outcome.records:
            path = record.get("file")
            if path not in self.held or record.get("action") != "rewritten":
                continue
            edits = record.pop("rewrite", None) or []
            record["action"] = "manual"
            record["suggestion"] = (
                "kmap-audit still flags the rewritten file: %s; convert "
                "it by hand%s" % (self.held[path], (": " + "; ".join(edits))
                                  if edits else ""))
        for path in self.held:
            outcome.diffs.pop(path, None)

    def _summary(self, first, final, converged, patched):
        """audit.json's content (no timings: runs compare byte for byte);
        patched: the files the final patch changes."""
        before = {(s["file"], s["line"], s["column"]): s for s in first
                  if s["action"] == "rewritten"}
        demoted, unproved, proved = [], [], []
        for site in final:
            key = (site["file"], site["line"], site["column"])
            brief = {"file": site["file"], "line": site["line"],
                     "column": site["column"], "function": site["function"],
                     "api": site["api"]}
            if site.get("proved"):
                proved.append(dict(brief, paths=site["proved"]))
            if key not in before or site["action"] == "rewritten":
                continue
            number = self.denied_round.get((site["file"], site["function"]),
                                           self.held_round.get(site["file"]))
            # A candidate the audit did not prove, or a site the
            # script proved that the audit flags.
            (unproved if before[key].get("unproven") else demoted).append(
                dict(brief, round=number,
                     reasons=site.get("reasons", []),
                     suggestion=site.get("suggestion", "")))
        unchecked = [dict(file=s["file"], line=s["line"],
                          column=s["column"], function=s["function"],
                          api=s["api"], note=s["unchecked"])
                     for s in final if s["action"] == "rewritten"
                     and s.get("unchecked")]
        pre = [_brief(f) for path in sorted(self.pre_existing)
               if path in patched for f in self.pre_existing[path]]
        rewritten = Counter(s["file"] for s in final
                            if s["action"] == "rewritten")
        # Functions containing a compile error are not audited: in these
        # files the audit may not have seen every rewrite.
        partly = [{"file": path, "rewritten_sites": rewritten[path],
                   "parse_error": f["message"]}
                  for path in sorted(self.pre_existing)
                  if path in patched and rewritten[path]
                  for f in self.pre_existing[path]
                  if f["kind"] == audit.PARSE_ERROR]
        return {
            "converged": converged,
            "rounds": self.rounds,
            "proved": proved,
            "unproved": unproved,
            "demoted": demoted,
            "functions_demoted": len({(d["file"], d["function"])
                                      for d in demoted}),
            "unchecked": unchecked,
            "held_back": [{"file": p, "reason": self.held[p]}
                          for p in sorted(self.held)],
            "pre_existing": pre,
            "partly_audited": partly,
            "not_audited": [{"file": p, "reason": r}
                            for p, r in sorted(self.not_audited.items())
                            if p in patched],
            "paths_judged": self.judged,
            "spatch_reruns": self.reruns,
        }


class Unavailable(KmapconvError):
    """kmap-audit cannot audit this tree at all (the message says why)."""


def gate(ksrc, outcome, argv, timeout, jobs, run_settings, sites_of,
         patch_of):
    """Audit the rewrite in outcome and demote what the audit flags
    (module docstring); returns what OUT/audit.json holds.  Raises
    Unavailable when the audit cannot run on ksrc."""
    try:
        return Gate(ksrc, argv, timeout, jobs, run_settings, sites_of,
                    patch_of).run(outcome)
    except audit.AuditError as e:
        raise Unavailable("kmap-audit cannot judge the rewrite: %s" % e)


def unavailable_summary(reason, withdrawn):
    """audit.json of a run the audit could not judge; withdrawn: the
    files whose candidate rewrites were taken back."""
    return {"unavailable": reason, "withdrawn": sorted(withdrawn)}


def without_audit(ksrc, outcome, plain_argv, timeout, jobs, run_settings,
                  reason):
    """The audit failed after spatch rewrote sites for it to prove: run
    spatch again, without KMAP_LOCAL_PROVE, on the files that hold one,
    so that they are manual as the semantic patch alone would have them.
    Returns audit.json's content."""
    files = sorted({r["file"] for r in outcome.records
                    if isinstance(r, dict) and r.get("unproven")})
    rerun(ksrc, outcome, files, plain_argv, jobs, timeout, run_settings)
    forget_unfollowed(outcome)
    return unavailable_summary(reason, files)


def rerun(ksrc, outcome, files, argv, jobs, timeout, run_settings):
    """spatch again on files (of the run's) with argv, in a scratch
    directory of its own, its records and diffs replacing theirs in
    outcome (replace_files)."""
    if not files:
        return
    scratch = tempfile.mkdtemp(prefix="kmapconv-again-")
    try:
        again = spatch_again(ksrc, files, jobs, argv, scratch, run_settings,
                             run_settings.result_cache(argv, timeout))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    replace_files(outcome, files, again)


def spatch_again(ksrc, files, jobs, argv, scratch, run_settings,
                 result_cache):
    """spatch's outcome for files (of the run's) with argv."""
    return batches.run_files(
        ksrc, files, {p: os.path.getsize(os.path.join(ksrc, p))
                      for p in files},
        jobs, argv, scratch, result_cache=result_cache,
        max_bytes=run_settings.max_bytes,
        batch_slack=run_settings.batch_slack,
        min_batch_bytes=run_settings.min_batch_bytes)


def replace_files(outcome, files, again):
    """outcome's records and diffs of files, from the spatch run again;
    a file that run failed on leaves the patch, its sites unrecorded
    (the coverage check then names it)."""
    done = set(files)
    outcome.records = [r for r in outcome.records
                       if r.get("file") not in done] + [
        r for r in again.records if r.get("file") in done
        or not isinstance(r.get("file"), str)]
    for path in files:
        outcome.diffs.pop(path, None)
        if path in again.diffs:
            outcome.diffs[path] = again.diffs[path]
    for path in files:
        if path in again.failed:
            outcome.failed[path] = again.failed[path]
