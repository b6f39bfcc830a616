# SPDX-License-Identifier: GPL-2.0-only
"""The functions a function-pointer parameter called in a kmap_atomic()
region can be, read in the tree beside the site's file
(semantic-patches/kmap_local/pointers.py): each is then judged as a call
by its name would be, and its body read.

spatch runs on reduced copies outside the tree, so the semantic patch
does not read the directory itself: it is told (POINTER_ENV).  First
with nothing, so that its records name the parameters it could not
resolve ("pointer_params", never in sites.jsonl); then the files where
the directory resolves one run again, told, and shown whole: the
functions given as the pointer are not called from a map, and the
reduced view would blank their bodies.  The value is on spatch's command
line, which keys the results cache, and every later run (the audit's)
carries it.
"""

import os

from kerneltree import coccimodule
from kerneltree.mapapi import POINTER_ENV

_pointers = coccimodule.load("pointers")
FIELD = "pointer_params"


def told(argv, value=""):
    """spatch's argv (it may start with env) telling the semantic patch
    the function-pointer targets (value: POINTER_ENV's)."""
    from . import auditgate
    return auditgate.with_env(argv, POINTER_ENV, value)


def whole_files(argv):
    """The files argv tells targets for: spatch must see them whole."""
    for a in argv:
        if a.startswith(POINTER_ENV + "="):
            return _pointers.files_of_env(a.partition("=")[2])
    return set()


def needed(ksrc, records):
    """(files with a parameter the directory resolves, POINTER_ENV's
    value for them), from the records of a run told nothing."""
    wanted = {}
    for r in records:
        params = r.get(FIELD) if isinstance(r, dict) else None
        if params and isinstance(r.get("file"), str) and \
                isinstance(r.get("function"), str):
            wanted.setdefault(os.path.dirname(r["file"]), set()).update(
                (r["file"], r["function"], p) for p in params)
    resolved = {}
    for folder, keys in sorted(wanted.items()):
        resolved.update(_pointers.directory_targets(
            os.path.join(ksrc, folder), sorted(keys)))
    return sorted({path for path, _fn, _param in resolved}), \
        _pointers.env_value(resolved)


def forget(records):
    """The records without the parameters they named for this module."""
    for r in records:
        if isinstance(r, dict):
            r.pop(FIELD, None)


def settle(ksrc, outcome, argvs, jobs, timeout, run_settings):
    """Resolve the parameters outcome's records name; run spatch again,
    on whole files, where the directory resolves one.  argvs: the
    commands (told nothing) of the runs to come, returned telling what
    was found."""
    from . import auditgate
    files, value = needed(ksrc, outcome.records)
    argvs = [told(argv, value) for argv in argvs]
    auditgate.rerun(ksrc, outcome, files, argvs[0], jobs, timeout,
                    run_settings)
    return argvs
