# SPDX-License-Identifier: GPL-2.0-only
"""Write the output directory all at once, or not at all.

The files are written into a temporary directory next to OUT and the
directory is renamed into place at the end, so a run that fails or is
interrupted leaves the previous OUT exactly as it was, and a reader never
sees a mix of old and new files.
"""

import os
import shutil
import tempfile

from .errors import KmapconvError

# Files kmapconv writes.  An existing OUT holding anything else is not
# ours, and is never replaced (think OUT=$HOME).
KNOWN_FILES = {"sites.jsonl", "kmap-local.patch", "report.md", "bench.json"}


def _inside(path, top):
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def check(out, ksrc_real):
    """Refuse an OUT that kmapconv must not write (before any work)."""
    real = os.path.realpath(out)
    if _inside(real, ksrc_real):
        raise KmapconvError("OUT %s is inside KSRC %s; kmapconv never "
                            "writes into the kernel tree" % (out, ksrc_real))
    if _inside(ksrc_real, real):
        raise KmapconvError("OUT %s contains KSRC %s" % (out, ksrc_real))
    if os.path.lexists(out):
        if not os.path.isdir(out) or os.path.islink(out):
            raise KmapconvError("OUT %s exists and is not a directory" % out)
        try:
            # ".NAME.*" is replace_file()'s temporary for NAME.
            foreign = sorted(n for n in os.listdir(out)
                             if n not in KNOWN_FILES
                             and not any(n.startswith("." + k + ".")
                                         for k in KNOWN_FILES))
        except OSError as e:
            raise KmapconvError("cannot read OUT %s: %s" % (out, e.strerror))
        if foreign:
            raise KmapconvError("OUT %s exists and holds files kmapconv did "
                                "not write (%s); refusing to replace it"
                                % (out, foreign[0]))


def replace_dir(out, files):
    """Make directory out contain exactly files ({name: text})."""
    out = os.path.abspath(out)
    parent, name = os.path.split(out)
    try:
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".%s.new-" % name, dir=parent)
    except OSError as e:
        raise KmapconvError("cannot create a directory next to OUT %s: %s"
                            % (out, e.strerror))
    old = None      # where the previous OUT waits until the swap is done
    try:
        for fname, text in files.items():
            with open(os.path.join(tmp, fname), "w", encoding="utf-8") as f:
                f.write(text)
        os.chmod(tmp, 0o755)    # mkdtemp's 0700 is not what users expect
        if os.path.isdir(out):
            old = tempfile.mkdtemp(prefix=".%s.old-" % name, dir=parent)
            os.rename(out, os.path.join(old, name))
        try:
            os.rename(tmp, out)
        except OSError:
            if old:             # put the previous OUT back
                os.rename(os.path.join(old, name), out)
                old = None
            raise
        tmp = None
    except OSError as e:
        raise KmapconvError("cannot write OUT %s: %s" % (out, e))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)
        if old:
            shutil.rmtree(old, ignore_errors=True)


def replace_file(out, fname, text):
    """Atomically create or replace one file in directory out."""
    tmp = None
    try:
        os.makedirs(out, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".%s." % fname, dir=out)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)
        os.replace(tmp, os.path.join(out, fname))
        tmp = None
    except OSError as e:
        raise KmapconvError("cannot write %s/%s: %s" % (out, fname, e))
    finally:
        if tmp:
            os.unlink(tmp)
