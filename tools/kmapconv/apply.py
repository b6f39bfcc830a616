# SPDX-License-Identifier: GPL-2.0-only
"""--apply: put OUT/series into KSRC, every patch or none.

First every patch is tried with patch --dry-run; each file is in only
one patch of the series (series.py), so each is tried against the
original tree.  Only when all would apply are they applied, in order.
Should one still fail half way (KSRC changed under us, a full disk),
every file the series touches is put back byte for byte from a copy
taken before the first patch: a half-converted tree is worse than none.
"""

import os
import re

from . import run, series
from .errors import KmapconvError

_PATCH_RE = re.compile(r"^\d{4}-.+\.patch$")


def series_patches(series_dir):
    """The patch files of a series directory, in order (no cover)."""
    try:
        names = os.listdir(series_dir)
    except FileNotFoundError:
        return []
    except OSError as e:
        raise KmapconvError("cannot read %s: %s" % (series_dir, e.strerror))
    return [os.path.join(series_dir, n) for n in sorted(names)
            if _PATCH_RE.match(n) and n != series.COVER]


def _touched(ksrc, patches):
    """Real paths of the files the patches change, checked to be in KSRC."""
    paths = set()
    for patch in patches:
        with open(patch, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
        for diff in series.split(text):
            path = os.path.normpath(os.path.join(ksrc, diff.path))
            if not path.startswith(ksrc.rstrip(os.sep) + os.sep):
                raise KmapconvError("%s changes %s, outside KSRC; nothing "
                                    "was applied" % (patch, diff.path))
            paths.add(path)
    return sorted(paths)


def _snapshot(paths):
    saved = {}
    for path in paths:
        try:
            with open(path, "rb") as f:
                saved[path] = f.read()
        except FileNotFoundError:
            saved[path] = None          # a file the series would create
        except OSError as e:
            raise KmapconvError("cannot read %s: %s; nothing was applied"
                                % (path, e.strerror))
    return saved


def _restore(saved):
    for path, data in saved.items():
        if data is None:
            if os.path.lexists(path):
                os.unlink(path)
            continue
        with open(path, "rb") as f:
            if f.read() == data:
                continue
        with open(path, "wb") as f:
            f.write(data)


def apply_series(ksrc, series_dir):
    """Apply the series to ksrc, all or nothing; a line saying what was done.

    Raises KmapconvError naming the first patch that does not apply, with
    KSRC unchanged.
    """
    ksrc = os.path.realpath(ksrc)
    patches = series_patches(series_dir)
    if not patches:
        return "nothing to apply: the patch is empty"
    for patch in patches:
        try:
            run.apply_patch(patch, ksrc, dry_run=True)
        except KmapconvError as e:
            raise KmapconvError("%s; nothing was applied" % e)
    saved = _snapshot(_touched(ksrc, patches))
    done = 0
    try:
        for patch in patches:
            run.apply_patch(patch, ksrc)
            done += 1
    except BaseException as e:
        try:
            _restore(saved)
        except OSError as restore_error:
            raise KmapconvError(
                "applying %s failed (%s) and KSRC could not be restored: "
                "%s" % (os.path.basename(patches[done]), e, restore_error))
        if isinstance(e, KeyboardInterrupt):
            raise
        raise KmapconvError("%s; the %d patch(es) applied before it were "
                            "rolled back" % (e, done))
    return "applied %d patch%s to %s" % (
        done, "" if done == 1 else "es", ksrc)
