# SPDX-License-Identifier: GPL-2.0-only
"""The eval command: how well does our patch agree with upstream?

Between 6.1 and 6.12 upstream converted many kmap()/kmap_atomic() users
by hand.  Those conversions are the ground truth here:

- the base functions are the (file, function) pairs of the 6.1 tree
  (KSRC) that call kmap() or kmap_atomic();
- upstream converted one when, in the 6.12 tree, the same file still
  defines it, it calls a local-mapping API and no kmap()/kmap_atomic();
- coverage: the share of those that no longer call kmap()/kmap_atomic()
  once OUT/kmap-local.patch is applied to a scratch copy of 6.1;
- agreement: the share whose multiset of mapping calls (maps, unmaps
  and the memcpy/memzero helpers) equals upstream's, after NORMALISE.

semantic-patches/mapping_calls.cocci lists the calls per function in
all three trees (6.1, patched 6.1, 6.12).  Nothing here gates: the
numbers, every miss and the functions only we converted go to
OUT/eval.json and OUT/eval.md.
"""

import json
import os
import shutil
import tempfile
from collections import Counter

from kerneltree import mapapi
from kerneltree import diff

from . import __version__, batches, candidates, ksrc, outdir, run, spatch
from .errors import KmapconvError

LISTER = "mapping_calls.cocci"

LEGACY = frozenset(mapapi.LEGACY_MAPS)
# What makes a function count as converted upstream (besides having no
# LEGACY call left).
LOCAL = mapapi.LOCAL_CALLS
# Upstream moved much of fs/ to folios in the same years: a folio call
# and its page twin make the same local mapping, so choosing the page
# form is not a disagreement about the conversion (the twins and why:
# kerneltree.mapapi).
NORMALISE = mapapi.PAGE_TWIN_OF_FOLIO_CALL
# What the project aims at on fs/ (the report shows how far it is).
TARGETS = {"coverage": 0.97, "agreement": 0.90}



# -- the trees ---------------------------------------------------------

def upstream_tree(arg, subsys):
    """(real path, label) of the upstream tree: a directory as it is, a
    tarball unpacked once into the cache (only SUBSYS of it)."""
    if os.path.isdir(arg):
        tree, label = arg, os.path.abspath(arg)
    elif os.path.isfile(arg):
        # A subset is a fraction of the 1.5 GB tree; "." needs it all.
        tree = (ksrc.unpack(arg) if subsys == "."
                else ksrc.unpack_subset(arg, None, [subsys]))
        label = "%s (from %s)" % (ksrc.tree_name(arg), arg)
    elif os.path.dirname(arg) == ksrc.SOURCE_DIR:
        raise KmapconvError("upstream tree %s not found; run: sudo apt-get "
                            "install -y %s, or pass --upstream"
                            % (arg, ksrc.tree_name(arg)))
    else:
        raise KmapconvError("upstream %s does not exist" % arg)
    real = os.path.realpath(tree)
    if not os.path.isfile(os.path.join(real, "Makefile")):
        raise KmapconvError("upstream %s is not a kernel tree (no Makefile)"
                            % arg)
    if not os.path.isdir(os.path.join(real, subsys)):
        raise KmapconvError("SUBSYS %s does not exist in upstream %s"
                            % (subsys, arg))
    return real, label


def list_calls(tree, files, jobs, timeout, lister, scratch):
    """Run the lister over files of tree.

    Returns ({(file, function): Counter of calls}, {file: why it
    failed}).  Every function the files define is a key, even one
    without mapping calls, so "gone" can be told from "no calls".
    """
    calls = {}
    if not files:
        return calls, {}
    sizes = {}
    for path in files:
        try:
            sizes[path] = os.path.getsize(os.path.join(tree, path))
        except OSError:
            sizes[path] = 0
    outcome = batches.run_files(tree, files, sizes, jobs,
                               spatch.command(lister, timeout), scratch,
                               with_headers=False, focus=False)
    for obj in outcome.records:
        fn, counts = obj.get("function"), obj.get("calls")
        if (not isinstance(fn, str) or not isinstance(counts, dict)
                or not all(isinstance(v, int) for v in counts.values())):
            raise KmapconvError("the call lister printed a malformed "
                                "record: %s" % json.dumps(obj)[:200])
        if fn == mapapi.NOT_A_FUNCTION:
            continue
        calls.setdefault((obj["file"], fn), Counter()).update(counts)
    return calls, dict(outcome.failed)


def patch_paths(patch_text):
    """(old paths, new paths) a -p1 unified diff names."""
    files = diff.parse(patch_text)
    return ([fd.old_path for fd in files if fd.old_path],
            [fd.new_path for fd in files if fd.new_path])


def patched_copy(base, patch_file, patch_text, dest):
    """Copy what the patch touches from base into dest and apply it
    there (base, the pristine KSRC, is never written).  Returns the
    paths the patch leaves changed."""
    old, new = patch_paths(patch_text)
    if not new:
        if patch_text.strip():
            raise KmapconvError("%s is not a unified diff (no ---/+++ "
                                "file headers)" % patch_file)
        return []
    if not run.which("patch"):
        raise KmapconvError("missing Debian packages; run: sudo apt-get "
                            "install -y patch")
    for path in old:
        os.makedirs(os.path.dirname(os.path.join(dest, path)) or dest,
                    exist_ok=True)
        try:
            shutil.copyfile(os.path.join(base, path),
                            os.path.join(dest, path))
        except OSError as e:
            raise KmapconvError("%s names %s, which KSRC lacks: %s"
                                % (patch_file, path, e.strerror))
    run.apply_patch(patch_file, dest)
    return sorted(set(new))


# -- the metrics ---------------------------------------------------------

def normalise(counts):
    out = Counter()
    for name, n in counts.items():
        name = NORMALISE.get(name, name)
        if name is not None:
            out[name] += n
    return out


def _legacy(counts):
    return any(counts.get(name) for name in LEGACY)


def _local(counts):
    return any(counts.get(name) for name in LOCAL)


def _ratio(part, whole):
    return round(part / whole, 4) if whole else None


def _calls(counts):
    """A multiset as a sorted {name: count} for JSON (None stays None)."""
    if counts is None:
        return None
    return {k: counts[k] for k in sorted(counts) if counts[k]}


def upstream_status(key, upstream, up_files, up_failed):
    """What upstream did with base function key in 6.12."""
    path = key[0]
    if path in up_failed:
        return "unanalysed"
    if path not in up_files or key not in upstream:
        return "gone"
    counts = upstream[key]
    if _legacy(counts):
        return "legacy"
    return "converted" if _local(counts) else "no-mapping-calls"


def _our_sites(sites, key):
    return [{"line": s.get("line"), "api": s.get("api"),
             "class": s.get("class"), "action": s.get("action"),
             "reasons": s.get("reasons", [])}
            for s in sites if (s.get("file"), s.get("function")) == key]


def compare(base, upstream, up_files, up_failed, ours, ours_failed, sites):
    """The metrics from the three call listings.

    base: 6.1 listing; upstream: 6.12 listing, up_files the base files
    present in 6.12; ours: listing of the patched copy (files the patch
    did not change are their base listing); *_failed: files the lister
    could not analyse there; sites: OUT/sites.jsonl records.
    """
    funcs = sorted(k for k, c in base.items() if _legacy(c))
    status = {k: upstream_status(k, upstream, up_files, up_failed)
              for k in funcs}
    converted = [k for k in funcs if status[k] == "converted"]
    misses, extra = [], []
    covered = agreed = agreed_raw = 0
    ours_converted = set()
    for key in funcs:
        mine = None if key[0] in ours_failed else ours.get(key)
        if mine is not None and not _legacy(mine):
            ours_converted.add(key)
        if status[key] != "converted":
            continue
        up = upstream[key]
        is_covered = key in ours_converted
        same = mine is not None and normalise(mine) == normalise(up)
        covered += is_covered
        agreed += same
        agreed_raw += mine is not None and +mine == +up
        if same:
            continue
        if mine is None:
            why = ("the lister could not analyse the patched file"
                   if key[0] in ours_failed else
                   "the function is gone after our patch")
        elif is_covered:
            why = "converted, but with other calls than upstream"
        else:
            why = "not converted"
        misses.append({"file": key[0], "function": key[1],
                       "covered": is_covered, "why": why,
                       "upstream": _calls(up), "ours": _calls(mine),
                       "sites": _our_sites(sites, key)})
    for key in sorted(ours_converted):
        if status[key] != "converted":
            extra.append({"file": key[0], "function": key[1],
                          "upstream_status": status[key],
                          "upstream": _calls(upstream.get(key)),
                          "ours": _calls(ours[key])})
    counts = Counter(status.values())
    return {
        "base_functions": len(funcs),
        "upstream": {s: counts.get(s, 0) for s in
                     ("converted", "legacy", "no-mapping-calls", "gone",
                      "unanalysed")},
        "covered": covered,
        "agreed": agreed,
        "agreed_raw": agreed_raw,
        "coverage": _ratio(covered, len(converted)),
        "agreement": _ratio(agreed, len(converted)),
        "agreement_raw": _ratio(agreed_raw, len(converted)),
        "ours_converted": len(ours_converted),
        "misses": misses,
        "only_ours": extra,
    }


def read_sites(path):
    """OUT/sites.jsonl as plain records: eval only reads a few keys, so
    it does not re-validate what convert wrote."""
    records = []
    try:
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                if line.strip():
                    try:
                        records.append(json.loads(line))
                    except ValueError:
                        raise KmapconvError("%s:%d is not JSON" % (path, n))
    except OSError as e:
        raise KmapconvError("cannot read %s: %s" % (path, e.strerror))
    return records


def evaluate(base_tree, up_tree, subsys, patch_file, sites, jobs, timeout,
             lister):
    """Run the lister over the three trees and compare (see compare)."""
    try:
        with open(patch_file, encoding="utf-8", errors="replace") as f:
            patch_text = f.read()
    except OSError as e:
        raise KmapconvError("cannot read %s: %s" % (patch_file, e.strerror))
    files = candidates.find(base_tree, subsys).files
    scratch = tempfile.mkdtemp(prefix="kmapconv-eval-")
    try:
        def scratch_dir(name):
            path = os.path.join(scratch, name)
            os.makedirs(path)
            return path
        # The patch first: one that does not apply fails in a second.
        copy = scratch_dir("patched")
        changed = set(patched_copy(base_tree, patch_file, patch_text, copy))
        base, base_failed = list_calls(base_tree, files, jobs, timeout,
                                       lister, scratch_dir("base"))
        wanted = sorted({k[0] for k, c in base.items() if _legacy(c)})
        up_files = [f for f in wanted
                    if os.path.isfile(os.path.join(up_tree, f))]
        upstream, up_failed = list_calls(up_tree, up_files, jobs, timeout,
                                         lister, scratch_dir("upstream"))
        # Files the patch leaves alone list as in the base: no need to
        # run spatch on them again.
        relist = [f for f in wanted if f in changed]
        mine, ours_failed = list_calls(copy, relist, jobs, timeout, lister,
                                       scratch_dir("ours"))
        ours = {k: c for k, c in base.items() if k[0] not in changed}
        ours.update(mine)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    result = compare(base, upstream, set(up_files), up_failed, ours,
                     ours_failed, sites)
    result["unanalysed"] = {"base": base_failed, "upstream": up_failed,
                            "patched": ours_failed}
    result["patched_files"] = len(changed)
    return result


# -- the outputs ---------------------------------------------------------

def _fmt_ratio(value):
    return "n/a" if value is None else "%.3f" % value


def _fmt_calls(calls):
    if calls is None:
        return "(not found)"
    if not calls:
        return "none"
    return ", ".join("%s ×%d" % (k, v) if v > 1 else k
                     for k, v in sorted(calls.items()))


# How eval.md words upstream_status() for the functions only we converted.
_STATUS_TEXT = {
    "legacy": "upstream still calls kmap()/kmap_atomic()",
    "no-mapping-calls": "upstream makes no mapping call there any more",
    "gone": "gone upstream (file or function not found)",
    "unanalysed": "the lister could not analyse upstream's file",
}


def summary(r):
    n = r["upstream"]["converted"]
    return ("eval %s: coverage %s (%d/%d), agreement %s (%d/%d) against "
            "%s; %d converted only by us"
            % (r["subsys"], _fmt_ratio(r["coverage"]), r["covered"], n,
               _fmt_ratio(r["agreement"]), r["agreed"], n,
               r["upstream_version"] or "upstream", len(r["only_ours"])))


def render(r):
    """eval.md; like report.md it holds no dates or timings."""
    up = r["upstream"]
    lines = [
        "<!-- SPDX-License-Identifier: GPL-2.0-only -->",
        "# Agreement with upstream: %s" % r["subsys"], "",
        "- base: %s (%s)" % (r["ksrc"], r["base_version"] or "?"),
        "- upstream: %s (%s)" % (r["upstream_tree"],
                                 r["upstream_version"] or "?"),
        "- patch: %s (%d files changed)" % (r["patch"], r["patched_files"]),
        "- kmapconv %s" % r["version"], "",
        "## Summary", "",
        "| metric | value | target |", "| --- | --- | --- |",
        "| coverage | %s (%d/%d) | ≥ %.2f |"
        % (_fmt_ratio(r["coverage"]), r["covered"], up["converted"],
           TARGETS["coverage"]),
        "| agreement | %s (%d/%d) | ≥ %.2f |"
        % (_fmt_ratio(r["agreement"]), r["agreed"], up["converted"],
           TARGETS["agreement"]),
        "| agreement without normalisation | %s (%d/%d) | |"
        % (_fmt_ratio(r["agreement_raw"]), r["agreed_raw"],
           up["converted"]), "",
        "%d functions call kmap()/kmap_atomic() in the base tree. In the "
        "upstream tree %d were converted (defined in the same file, a "
        "local-mapping call, no kmap()/kmap_atomic()), %d still call "
        "kmap()/kmap_atomic(), %d no longer make any mapping call, %d are "
        "gone (file or function not found) and %d could not be analysed."
        % (r["base_functions"], up["converted"], up["legacy"],
           up["no-mapping-calls"], up["gone"], up["unanalysed"]), "",
        "Coverage: the function calls no kmap()/kmap_atomic() after our "
        "patch. Agreement: its multiset of mapping calls equals "
        "upstream's after renaming %s; agreement without normalisation "
        "compares the calls as they are."
        % ", ".join("%s → %s" % (k, v or "(left out)")
                    for k, v in sorted(NORMALISE.items())),
        "Calls compared: %s." % ", ".join(sorted(LEGACY | LOCAL | {
            "kunmap", "kunmap_atomic"})), "",
        "## Misses (%d)" % len(r["misses"]), "",
    ]
    for m in r["misses"]:
        lines.append("- `%s:%s`: %s. Upstream: %s. Ours: %s."
                     % (m["file"], m["function"], m["why"],
                        _fmt_calls(m["upstream"]), _fmt_calls(m["ours"])))
        for s in m["sites"]:
            lines.append("  - line %s, %s: %s, %s%s"
                         % (s["line"], s["api"], s["class"], s["action"],
                            "".join("; " + x for x in s["reasons"])))
    if not r["misses"]:
        lines.append("none")
    lines += ["", "## Converted by us, not by upstream (%d, informational)"
              % len(r["only_ours"]), ""]
    for e in r["only_ours"]:
        lines.append("- `%s:%s`: %s. Upstream: %s. Ours: %s."
                     % (e["file"], e["function"],
                        _STATUS_TEXT[e["upstream_status"]],
                        _fmt_calls(e["upstream"]), _fmt_calls(e["ours"])))
    if not r["only_ours"]:
        lines.append("none")
    lines += ["", "## Files the call lister could not analyse", ""]
    failed = [(tree, path, why) for tree, files in
              sorted(r["unanalysed"].items())
              for path, why in sorted(files.items())]
    lines += ["- %s tree: `%s`: %s" % f for f in failed] or ["none"]
    return "\n".join(lines) + "\n"


def run_eval(target, upstream, out, jobs, timeout, lister):
    """Evaluate OUT (written by convert just before) against upstream,
    the (tree, label) pair upstream_tree() returned."""
    up_tree, up_label = upstream
    patch_file = os.path.join(out, "kmap-local.patch")
    result = {
        "version": __version__,
        "subsys": target.subsys,
        "ksrc": target.label,
        "base_version": ksrc.kernel_version(target.ksrc),
        "upstream_tree": up_label,
        "upstream_version": ksrc.kernel_version(up_tree),
        "patch": patch_file,
        "normalisation": dict(NORMALISE),
        "targets": dict(TARGETS),
    }
    result.update(evaluate(
        target.ksrc, up_tree, target.subsys, patch_file,
        read_sites(os.path.join(out, "sites.jsonl")), jobs, timeout,
        lister))
    outdir.replace_file(out, "eval.json",
                        json.dumps(result, indent=2, ensure_ascii=False)
                        + "\n")
    outdir.replace_file(out, "eval.md", render(result))
    return result
