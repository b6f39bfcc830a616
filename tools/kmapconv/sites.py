# SPDX-License-Identifier: GPL-2.0-only
"""The one definition of a site record (a line of sites.jsonl).

Everything that reads or writes site records goes through here, so the
schema cannot drift between the spatch parser, the report and the tests.
"""

import json

from .errors import KmapconvError

APIS = ("kmap", "kmap_atomic")

# Ordered from "safe to convert" to "must stay": the report and the
# duplicate resolution below rely on this order.
CLASSES = ("thread-local", "nesting-sensitive", "cross-thread")

# rewritten: the patch converts it; manual: a human must (the record
# says why and suggests how); kept: it must stay kmap().
ACTIONS = ("rewritten", "manual", "kept")

# Keys in the order they are written; extra keys spatch supplies follow.
KEY_ORDER = ("file", "line", "column", "function", "api", "class",
             "action", "reasons")

# Keys the semantic patch must supply ("action" is optional: the driver
# derives it from the class when absent).
REQUIRED = ("file", "line", "column", "function", "api", "class", "reasons")


def default_action(cls):
    """The action for a site whose semantic patch did not choose one."""
    # A cross-thread mapping must stay kmap(); anything else needs a
    # human until the rewrite rules exist.
    return "kept" if cls == "cross-thread" else "manual"


def _fail(obj, problem):
    raise KmapconvError("malformed site from the semantic patch (%s): %s"
                        % (problem, json.dumps(obj, sort_keys=True)[:300]))


def validate(obj):
    """Raise KmapconvError unless obj is a well-formed site record.

    A malformed record is a bug in the semantic patch (or the driver),
    never something to paper over: the run stops with a clear message.
    """
    if not isinstance(obj, dict):
        _fail(obj, "not a JSON object")
    for key in REQUIRED:
        if key not in obj:
            _fail(obj, "missing key %r" % key)
    if not isinstance(obj["file"], str) or not obj["file"]:
        _fail(obj, "file must be a non-empty string")
    for key in ("line", "column"):
        value = obj[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            _fail(obj, "%s must be a non-negative integer" % key)
    if obj["line"] < 1:
        _fail(obj, "line must be >= 1")
    if not isinstance(obj["function"], str):
        _fail(obj, "function must be a string")
    if obj["api"] not in APIS:
        _fail(obj, "api must be one of %s" % ", ".join(APIS))
    if obj["class"] not in CLASSES:
        _fail(obj, "class must be one of %s" % ", ".join(CLASSES))
    if "action" in obj and obj["action"] not in ACTIONS:
        _fail(obj, "action must be one of %s" % ", ".join(ACTIONS))
    reasons = obj["reasons"]
    if not isinstance(reasons, list) or not all(isinstance(r, str)
                                                for r in reasons):
        _fail(obj, "reasons must be a list of strings")


def normalise(obj):
    """Validate obj and return it as a site with keys in schema order."""
    validate(obj)
    site = {key: obj[key] for key in KEY_ORDER if key in obj}
    site.setdefault("action", default_action(obj["class"]))
    ordered = {key: site[key] for key in KEY_ORDER}
    for key, value in obj.items():
        if key not in ordered:
            ordered[key] = value
    return ordered


def sort_key(site):
    return (site["file"], site["line"], site["column"])


def merge_duplicates(sites):
    """Collapse records spatch reported more than once for one position.

    spatch can report a position twice (e.g. once per #ifdef variant it
    explores).  Identical records collapse; conflicting ones keep the
    most conservative class (the mapping is only converted if every path
    agrees) with the reasons of all of them.
    """
    by_pos = {}
    for site in sites:
        pos = sort_key(site)
        seen = by_pos.get(pos)
        if seen is None:
            by_pos[pos] = site
            continue
        if site == seen:
            continue
        keep = (site if CLASSES.index(site["class"])
                > CLASSES.index(seen["class"]) else seen)
        other = seen if keep is site else site
        reasons = list(keep["reasons"])
        reasons += [r for r in other["reasons"] if r not in reasons]
        merged = dict(keep)
        merged["reasons"] = reasons
        by_pos[pos] = merged
    return [by_pos[pos] for pos in sorted(by_pos)]


def dumps(site):
    """One sites.jsonl line (without the newline)."""
    return json.dumps(site, ensure_ascii=False)


def load_jsonl(path):
    """Read and validate a sites.jsonl file (used by tests and tools)."""
    sites = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                obj = json.loads(line)
                validate(obj)
                if list(obj)[:len(KEY_ORDER)] != list(KEY_ORDER):
                    raise KmapconvError("%s: keys out of order: %s"
                                        % (path, list(obj)))
                sites.append(obj)
    return sites
