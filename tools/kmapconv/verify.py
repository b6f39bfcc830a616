# SPDX-License-Identifier: GPL-2.0-only
"""The verify command: does every .c file the patch touches compile?

verify reads OUT/kmap-local.patch (convert's output; it never reruns
convert), applies it to a cached copy of KSRC (buildtree.py) and builds
each touched .c file as its object, under allmodconfig for each --arch:
i386 for HIGHMEM and the DEBUG_KMAP_LOCAL checks, x86_64 for the
configuration most machines run.  A file that fails is built again
without the patch, to tell "broken by the patch" from "already failing".
The results go to OUT/verify.json and OUT/verify.md.
"""

import collections
import hashlib
import json
import os
import posixpath
import re
import sys
import time

from kerneltree import diff

from . import __version__, buildtree, ksrc, outdir
from .errors import KmapconvError

PATCH = "kmap-local.patch"
OUTPUTS = ("verify.json", "verify.md")
ARCHES = ("i386", "x86_64")

# outdir.KNOWN_FILES lists these too: a convert after a verify must not
# take OUT for somebody else's directory.
assert set(OUTPUTS) <= outdir.KNOWN_FILES

# Objects per make call: each call spends about 1.5 s checking that
# prepare is up to date, so files are built in batches.
BATCH = 50
ERROR_LINES = 5

# Per file and arch.  FAILED exists only until the file has been built
# without the patch and become BROKEN or ALREADY_FAILING.
OK = "ok"
NOT_BUILT = "not-built"
FAILED = "failed"
BROKEN = "broken"
ALREADY_FAILING = "fails-without-patch"
STATUSES = (OK, BROKEN, ALREADY_FAILING, NOT_BUILT)
LABELS = {OK: "ok", BROKEN: "broken by the patch",
          ALREADY_FAILING: "fails without patch", NOT_BUILT: "not built"}


# -- the patch -----------------------------------------------------------

_NO_RULE = re.compile(r"No rule to make target '([^']+)'")
# How a compile command in make -n's output names its object.
_OUTPUT = re.compile(r"\s-o\s+(\S+\.o)(?=[\s;]|$)", re.M)


def parse_patch(text, patch_file=PATCH):
    """[(old, new)] for each file of a -p1 unified diff, in order; a side
    is None for /dev/null (a created or deleted file)."""
    files = diff.parse(text, patch_file)
    if text.strip() and not files:
        raise KmapconvError("%s is not a unified diff (no ---/+++ file "
                            "headers)" % patch_file)
    return [(fd.old_path, fd.new_path) for fd in files]


def touched(files):
    """(.c files to build, other paths the patch touches), both sorted."""
    sources = {new for old, new in files if new and new.endswith(".c")}
    paths = {p for pair in files for p in pair if p}
    return sorted(sources), sorted(paths - sources)


def read_patch(out):
    path = os.path.join(out, PATCH)
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return path, f.read()
    except FileNotFoundError:
        raise KmapconvError("%s not found; run make convert first" % path)
    except OSError as e:
        raise KmapconvError("cannot read %s: %s" % (path, e.strerror))


# -- building ------------------------------------------------------------

def object_of(source):
    return source[:-2] + ".o"


def batch_outcome(objects, built, stderr):
    """{object: OK | NOT_BUILT | FAILED} after one make -k call.

    built: the objects that exist afterwards (they were deleted first).
    kbuild answers "No rule to make target" for an object the
    configuration does not build.
    """
    no_rule = set(_NO_RULE.findall(stderr))
    return {o: OK if o in built else NOT_BUILT if o in no_rule else FAILED
            for o in objects}


def error_lines(stderr, srctree, limit=ERROR_LINES):
    """The first compiler errors of a failed build, paths made relative
    to the tree (gcc names files by their absolute path in the cache)."""
    prefix = srctree.rstrip("/") + "/"
    lines = [l.replace(prefix, "").rstrip() for l in stderr.split("\n")]
    picked = [l for l in lines
              if ("error:" in l or "Error:" in l) and not l.startswith("make")]
    if not picked:
        picked = [l for l in lines if l.strip() and not l.startswith("make")]
    if not picked:
        picked = [l for l in lines if "***" in l]
    return picked[:limit]


def query_dirs(objects):
    """The directory targets ("fs/nilfs2/") whose make -n lists every
    one of objects the configuration builds: a directory below another
    one in the list is covered by it."""
    dirs = []
    for d in sorted({posixpath.dirname(o) for o in objects}):
        if d and not any(d.startswith(k + "/") for k in dirs):
            dirs.append(d)
    return [d + "/" for d in dirs]


def configured(tree, arch, objects, jobs):
    """The objects allmodconfig builds for arch.

    Asking for fs/x/y.o alone cannot tell: kbuild (6.1) compiles any
    named object in a directory it descends into, whether or not y.o's
    own option is on, and says "No rule to make target" only when the
    whole directory is off.  make -n on the directories lists exactly
    the configured objects (it prints the compile commands of those
    that are missing, hence the deletion first).
    """
    dirs = query_dirs(objects)
    if not dirs:
        return set()        # make without a target would list everything
    _remove(tree.objdir(arch), objects)
    proc = tree.make(arch, dirs, jobs, keep_going=True, dry_run=True)
    return set(_OUTPUT.findall(proc.stdout)) & set(objects)


def _remove(objdir, objects):
    for obj in objects:
        try:
            os.unlink(os.path.join(objdir, obj))
        except FileNotFoundError:
            pass


def _existing(objdir, objects):
    return {o for o in objects if os.path.isfile(os.path.join(objdir, o))}


def build(tree, arch, sources, jobs, all_configured=False):
    """{source: (OK | NOT_BUILT | FAILED, error lines)} for arch.

    all_configured: the sources are known to be configured (they were
    built before), so make -n need not be asked again.  Each object is
    deleted before it is built: a restored file keeps KSRC's old mtime,
    so make would take a stale object for current.  Failures of a batch
    are built once more one by one, so that each file gets its own error
    lines.
    """
    objdir = tree.objdir(arch)
    objects = [object_of(s) for s in sources]
    wanted = (set(objects) if all_configured
              else configured(tree, arch, objects, jobs))
    results = {s: (NOT_BUILT, []) for s in sources
               if object_of(s) not in wanted}
    todo = [s for s in sources if s not in results]
    for start in range(0, len(todo), BATCH):
        batch = {object_of(s): s for s in todo[start:start + BATCH]}
        _remove(objdir, batch)
        proc = tree.make(arch, list(batch), jobs, keep_going=True)
        outcome = batch_outcome(list(batch), _existing(objdir, batch),
                                proc.stderr)
        for obj, status in outcome.items():
            errors = []
            if status == FAILED and len(batch) > 1:
                _remove(objdir, [obj])
                proc = tree.make(arch, [obj], jobs)
                status = batch_outcome([obj], _existing(objdir, [obj]),
                                       proc.stderr)[obj]
            if status == FAILED:
                errors = error_lines(proc.stderr, tree.src)
            results[batch[obj]] = (status, errors)
    return results


def included_by(tree, arch, sources, paths):
    """{path: [sources whose object includes it]}, from kbuild's .cmd
    dependency lists: the headers of a patch compile only through the
    .c files that include them."""
    prefix = tree.src.rstrip("/") + "/"
    wanted = set(paths)
    found = {p: [] for p in paths}
    for source in sources:
        obj = object_of(source)
        cmd = os.path.join(tree.objdir(arch), os.path.dirname(obj),
                           "." + os.path.basename(obj) + ".cmd")
        try:
            with open(cmd, errors="replace") as f:
                deps = {l.strip().rstrip("\\").strip()[len(prefix):]
                        for l in f if l.strip().startswith(prefix)}
        except OSError:
            continue
        for path in sorted(deps & wanted):
            found[path].append(source)
    return found


def classify(patched, unpatched=None):
    """Final status of one file under one arch."""
    if patched != FAILED:
        return patched
    return ALREADY_FAILING if unpatched == FAILED else BROKEN


def _tally(results):
    counts = collections.Counter(status for status, _ in results.values())
    return ", ".join("%d %s" % (counts[s], s)
                     for s in (OK, FAILED, NOT_BUILT) if counts[s])


def _progress(text):
    print("kmapconv: " + text, file=sys.stderr, flush=True)


# -- the command ---------------------------------------------------------

def verify(target, out, arches, jobs, cache=None):
    """Verify OUT's patch against target (a convert.Target); write
    OUT/verify.json and OUT/verify.md and return the result."""
    outdir.check(out, target.ksrc)
    patch_file, text = read_patch(out)
    files = parse_patch(text, patch_file)
    sources, others = touched(files)
    patched = {arch: {} for arch in arches}
    unpatched = {arch: {} for arch in arches}
    included = {arch: {p: [] for p in others} for arch in arches}
    if files:
        buildtree.check_clean(target.ksrc)
        with buildtree.BuildTree(target.ksrc, cache) as tree:
            if sources:
                for arch in arches:
                    seconds = tree.configure(arch, jobs)
                    if seconds:
                        _progress("%s configured in %.0f s" % (arch, seconds))
            tree.apply(patch_file, sorted({p for f in files for p in f
                                           if p}))
            for arch in arches:
                start = time.monotonic()
                patched[arch] = build(tree, arch, sources, jobs)
                _progress("%s, with the patch: %s (%.1f s)"
                          % (arch, _tally(patched[arch]),
                             time.monotonic() - start))
                built = [s for s in sources if patched[arch][s][0] == OK]
                included[arch] = included_by(tree, arch, built, others)
            failing = {arch: [s for s in sources
                              if patched[arch][s][0] == FAILED]
                       for arch in arches}
            if any(failing.values()):
                tree.restore()
                for arch in arches:
                    if failing[arch]:
                        start = time.monotonic()
                        unpatched[arch] = build(tree, arch, failing[arch],
                                                jobs, all_configured=True)
                        _progress("%s, the failed files without the "
                                  "patch: %s (%.1f s)"
                                  % (arch, _tally(unpatched[arch]),
                                     time.monotonic() - start))
        tree.check_ksrc_unchanged()
    result = assemble(target, text, arches, sources, patched, unpatched,
                      included)
    outdir.publish(out, {
        "verify.json": json.dumps(result, indent=2, ensure_ascii=False)
        + "\n",
        "verify.md": render(result)})
    return result


def assemble(target, text, arches, sources, patched, unpatched, included):
    """The result as plain data (verify.json), in a stable order."""
    rows, counts, broken = [], {a: dict.fromkeys(STATUSES, 0)
                                for a in arches}, []
    for source in sources:
        row = {"file": source}
        for arch in arches:
            status, errors = patched[arch][source]
            before = unpatched[arch].get(source, (None, []))
            entry = {"status": classify(status, before[0])}
            if errors:
                entry["errors"] = errors
            if entry["status"] == ALREADY_FAILING and before[1]:
                entry["errors_without_patch"] = before[1]
            counts[arch][entry["status"]] += 1
            row[arch] = entry
        if any(row[a]["status"] == BROKEN for a in arches):
            broken.append(source)
        rows.append(row)
    others = sorted({p for a in arches for p in included[a]})
    return {
        "kmapconv": __version__,
        "ksrc": target.label,
        "kernel_version": ksrc.kernel_version(target.ksrc),
        "subsys": target.subsys,
        "patch": {"file": PATCH,
                  "sha256": hashlib.sha256(text.encode(
                      "utf-8", "surrogateescape")).hexdigest()},
        "config": {a: {"base": "allmodconfig",
                       "required": ["CONFIG_" + s
                                    for s in buildtree.REQUIRED[a]]}
                   for a in arches},
        "arches": list(arches),
        "files": rows,
        "other_files": [{"file": p,
                         "included_by": {a: included[a].get(p, [])
                                         for a in arches}}
                        for p in others],
        "counts": counts,
        "broken": broken,
    }


def summary(result):
    """One line: what was built and how it went, per arch."""
    if not result["files"]:
        return "the patch touches no .c files"
    parts = []
    for arch in result["arches"]:
        c = result["counts"][arch]
        parts.append("%s: %s" % (arch, ", ".join(
            "%d %s" % (c[s], LABELS[s]) for s in STATUSES if c[s])))
    return "%d .c file(s); %s" % (len(result["files"]), "; ".join(parts))


def _label(entry, arch):
    text = LABELS[entry["status"]]
    if entry["status"] == NOT_BUILT:
        text += " under " + arch
    return "**%s**" % text if entry["status"] == BROKEN else text


def render(result):
    """verify.md: no dates or timings, so equal input gives equal text."""
    arches = result["arches"]
    out = ["# Does the patch compile? (%s)" % result["subsys"], "",
           "- Tree: %s%s" % (result["ksrc"],
                             " (Linux %s)" % result["kernel_version"]
                             if result["kernel_version"] else ""),
           "- Patch: %s (sha256 %s)" % (result["patch"]["file"],
                                        result["patch"]["sha256"][:16])]
    for arch in arches:
        out.append("- %s: allmodconfig with %s" % (
            arch, ", ".join(result["config"][arch]["required"])))
    out += ["", "Summary: " + summary(result) + ".", ""]
    if result["files"]:
        out += ["| file | %s |" % " | ".join(arches),
                "| --- |%s" % (" --- |" * len(arches))]
        for row in result["files"]:
            out.append("| %s | %s |" % (row["file"], " | ".join(
                _label(row[a], a) for a in arches)))
        out.append("")
    for status, title in ((BROKEN, "Broken by the patch"),
                          (ALREADY_FAILING, "Failing without the patch "
                           "too (not counted against it)")):
        hits = [(row["file"], a, row[a]) for row in result["files"]
                for a in arches if row[a]["status"] == status]
        if not hits:
            continue
        out += ["## " + title, ""]
        for path, arch, entry in hits:
            out += ["### %s (%s)" % (path, arch), "", "```"]
            out += entry.get("errors") or ["(no error lines)"]
            out += ["```", ""]
            if entry.get("errors_without_patch"):
                out += ["Without the patch:", "", "```"]
                out += entry["errors_without_patch"] + ["```", ""]
    if result["other_files"]:
        out += ["## Other files the patch touches", "",
                "They are not compiled on their own; a header is checked "
                "only through the built .c files above that include it.",
                ""]
        for item in result["other_files"]:
            via = ["%s (%s)" % (", ".join(item["included_by"][a]), a)
                   for a in arches if item["included_by"][a]]
            out.append("- %s: %s" % (item["file"], "; ".join(via) if via
                                     else "included by none of them"))
        out.append("")
    return "\n".join(out)
