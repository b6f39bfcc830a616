# SPDX-License-Identifier: GPL-2.0-only
"""The callees a rewritten kmap() site gives its address or its page to,
read in the tree beside its file: one that turns the address into its
page or into a number for someone else to translate, or puts it in a
kvec, needs it in the linear map, where a local mapping's address is
not; one that reads the page through page_address() needs the kmap()
mapping (semantic-patches/kmap_local/linear.py).  Either way the site
keeps kmap().

spatch runs on reduced copies outside the tree, so the semantic patch
does not read the directory itself: it is told (LINEAR_ENV).  First
with nothing, so that its records name each rewritten kmap() site's
callees ("callees", never in sites.jsonl); then the files whose callees
need it run again with what their directories define.  The value is on
spatch's command line, which keys the results cache, and every later
run (the audit's) carries it.
"""

import os

from kerneltree import coccimodule
from kerneltree.mapapi import LINEAR_ENV

from . import auditgate

_linear = coccimodule.load("linear")
FIELD = "callees"


def told(argv, value=""):
    """spatch's argv telling the semantic patch the linear-map callees
    (value: LINEAR_ENV's)."""
    return auditgate.with_env(argv, LINEAR_ENV, value)


def needed(ksrc, records):
    """(files whose named callees need a linear-map address, LINEAR_ENV's
    value for their directories), from the records of a run told
    nothing."""
    named = {}
    for r in records:
        names = r.get(FIELD) if isinstance(r, dict) else None
        if names and isinstance(r.get("file"), str):
            named.setdefault(os.path.dirname(r["file"]), set()).update(names)
    scanned = {folder: _linear.directory_linear(os.path.join(ksrc, folder),
                                                names)
               for folder, names in named.items()}
    files = sorted({r["file"] for r in records
                    if isinstance(r, dict) and r.get(FIELD) and
                    any(n in scanned[os.path.dirname(r["file"])]
                        for n in r[FIELD])})
    return files, _linear.env_value(scanned)


def forget(records):
    """The records without the callees they named for this module."""
    for r in records:
        if isinstance(r, dict):
            r.pop(FIELD, None)


def settle(ksrc, outcome, argvs, jobs, timeout, run_settings):
    """Read the callees outcome's records name; run spatch again on the
    files where one needs a linear-map address.  argvs: the commands
    (told nothing) of the runs to come, returned telling what was
    found."""
    files, value = needed(ksrc, outcome.records)
    argvs = [told(argv, value) for argv in argvs]
    auditgate.rerun(ksrc, outcome, files, argvs[0], jobs, timeout,
                    run_settings)
    return argvs
