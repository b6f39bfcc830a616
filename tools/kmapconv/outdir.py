# SPDX-License-Identifier: GPL-2.0-only
"""Write the output files all at once, or not at all.

The files are written into a temporary directory next to OUT first.
Only when all of them are complete are they moved into place, each with
an atomic rename: a failed or interrupted run leaves the previous files
as they were, and no reader ever sees a half-written file.  A new OUT is
renamed into place as a whole.  A directory kmapconv writes (KNOWN_DIRS,
the patch series) is replaced as a whole too: a reader finds the old
patches or the new ones, never a mix (for an instant, none).  Other
subdirectories of an existing OUT are left alone: with the default
layout out/fs/ceph lives inside out/fs.
"""

import contextlib
import errno
import os
import re
import shutil
import tempfile

from .errors import KmapconvError

# Files kmapconv writes.  An existing OUT holding other files is not
# ours, and nothing is written into it (think OUT=$HOME).
KNOWN_FILES = {"sites.jsonl", "kmap-local.patch", "report.md", "bench.json",
               "eval.json", "eval.md", "verify.json", "verify.md",
               "index.html", "audit.json"}
# Directories kmapconv writes, with the names their files have: a
# directory of that name holding anything else is not ours either.
KNOWN_DIRS = {"series": re.compile(r"^\d{4}-[A-Za-z0-9._-]+\.patch$"),
              "dashboard": re.compile(r"^dir-[A-Za-z0-9._-]+\.html$")}


def _inside(path, top):
    return path == top or path.startswith(top.rstrip(os.sep) + os.sep)


def check(out, ksrc_real):
    """Refuse an OUT that kmapconv must not write (before any work)."""
    real = os.path.realpath(out)
    if _inside(real, ksrc_real):
        raise KmapconvError("OUT %s is inside KSRC %s; kmapconv never "
                            "writes into the kernel tree" % (out, ksrc_real))
    if os.path.lexists(out):
        if not os.path.isdir(out):
            raise KmapconvError("OUT %s exists and is not a directory" % out)
        try:
            # ".NAME.*" is replace_file()'s temporary for NAME.
            foreign = sorted(
                n for n in os.listdir(out)
                if n not in KNOWN_FILES
                and not os.path.isdir(os.path.join(out, n))
                and not any(n.startswith("." + k + ".") for k in KNOWN_FILES))
            foreign += _foreign_in_known_dirs(out)
        except OSError as e:
            raise KmapconvError("cannot read OUT %s: %s" % (out, e.strerror))
        if foreign:
            raise KmapconvError("OUT %s exists and holds files kmapconv did "
                                "not write (%s); refusing to replace it"
                                % (out, foreign[0]))


def _foreign_in_known_dirs(out):
    foreign = []
    for dname, pattern in sorted(KNOWN_DIRS.items()):
        path = os.path.join(out, dname)
        if not os.path.lexists(path):
            continue
        if not os.path.isdir(path):
            foreign.append(dname)
            continue
        foreign += [os.path.join(dname, n) for n in sorted(os.listdir(path))
                    if not pattern.match(n)]
    return foreign


def _write(parent, name, content):
    """Write a file (content: text) or a directory ({name: text})."""
    path = os.path.join(parent, name)
    if isinstance(content, dict):
        os.mkdir(path)
        os.chmod(path, 0o755)
        for fname, text in content.items():
            _write(path, fname, text)
        return
    # surrogateescape: a patch line of a file that is not UTF-8 keeps
    # its original bytes, so the patch still applies.
    with open(path, "w", encoding="utf-8", errors="surrogateescape") as f:
        f.write(content)
    os.chmod(path, 0o644)


def _replace_dir(new, dst, trash):
    """Rename directory new to dst; an old dst goes into directory trash.

    rename() cannot replace a non-empty directory, hence two renames; if
    the second fails the old directory is put back.
    """
    old = os.path.join(trash, ".old-" + os.path.basename(dst))
    try:
        os.rename(dst, old)
    except FileNotFoundError:
        old = None
    try:
        os.rename(new, dst)
    except BaseException:       # an interrupt, too: keep the old series
        if old:
            os.rename(old, dst)
        raise


def publish(out, files):
    """Make directory out hold files, all or nothing.

    files maps a name to its text, or to {name: text} for a directory
    (one of KNOWN_DIRS), which replaces the old one as a whole, or to
    None: a file of that name that OUT holds goes (it would describe
    another run).
    """
    out = os.path.abspath(out)
    parent, name = os.path.split(out)
    try:
        os.makedirs(parent, exist_ok=True)
        tmp = tempfile.mkdtemp(prefix=".%s.new-" % name, dir=parent)
    except OSError as e:
        raise KmapconvError("cannot create a directory next to OUT %s: %s"
                            % (out, e.strerror))
    try:
        for fname, content in files.items():
            if content is not None:
                _write(tmp, fname, content)
        if not os.path.isdir(out):
            os.chmod(tmp, 0o755)    # mkdtemp's 0700 is not what users want
            os.rename(tmp, out)
            return
        for fname, content in files.items():
            if content is None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(out, fname))
            elif isinstance(content, dict):
                _replace_dir(os.path.join(tmp, fname),
                             os.path.join(out, fname), tmp)
            else:
                os.replace(os.path.join(tmp, fname),
                           os.path.join(out, fname))
    except OSError as e:
        if e.errno == errno.EXDEV:
            raise KmapconvError("OUT %s is on another file system than its "
                                "parent directory; use a directory below it"
                                % out)
        raise KmapconvError("cannot write OUT %s: %s" % (out, e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


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
