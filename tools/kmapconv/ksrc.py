# SPDX-License-Identifier: GPL-2.0-only
"""Where the kernel tree comes from, and whether KSRC/SUBSYS are sane.

Without --ksrc the tree is the newest kernel source Debian ships: of the
linux-source-X.Y packages installed (their /usr/src tarballs) or
installable (apt-cache), the highest X.Y (default_source()); a newer one
that is not installed yet is installed by deps.ensure().  make eval keeps
6.1 (EVAL_BASE) as its base and compares with the newest as upstream.
The tarball is unpacked once into a cache directory.  Unpacking goes into a private temporary
directory that is renamed into place only when tar has finished, so an
interrupted unpack never leaves a half tree that a later run would use.
"""

import errno
import glob
import hashlib
import os
import re
import shutil
import stat
import sys
import tempfile

from kerneltree import kbuild

from . import run
from .errors import KmapconvError

_TMP_PREFIX = ".unpack-"
# Written into each unpacked tree: which tarball (size and mtime) it came
# from, so a package upgrade is noticed and the tree unpacked again.
STAMP = ".kmapconv-tarball"


SOURCE_DIR = "/usr/src"
SOURCE_PACKAGE = "linux-source-"
_SOURCE_NAME_RE = re.compile(r"^linux-source-(\d+(?:\.\d+)*)$")


def source_tarball(package):
    """The tarball Debian's package linux-source-X.Y installs."""
    return os.path.join(SOURCE_DIR, package + ".tar.xz")


# The tree make eval converts when KSRC is not given: upstream converted
# many sites by hand after it, which is what eval measures against.
EVAL_BASE = "linux-source-6.1"


def _version(package):
    return tuple(int(n) for n in
                 _SOURCE_NAME_RE.match(package).group(1).split("."))


def default_source():
    """(package, tarball) of the newest linux-source-X.Y installed or
    installable; EVAL_BASE's when apt knows of none (deps then names it
    as missing)."""
    names = {tree_name(path) for path in glob.glob(
        source_tarball(SOURCE_PACKAGE + "*"))}
    names.update(run.apt_cache_pkgnames(SOURCE_PACKAGE))
    versions = [n for n in names if _SOURCE_NAME_RE.match(n)]
    package = max(versions, key=_version) if versions else EVAL_BASE
    return package, source_tarball(package)


# One cache for the whole toolkit: trees, results, kbuild flags.
cache_dir = kbuild.cache_dir


def tree_name(tarball):
    """Top directory of a Debian linux-source tarball: its base name."""
    name = os.path.basename(tarball)
    for suffix in TARBALL_SUFFIXES:
        if name.endswith(suffix):
            return name[:-len(suffix)]
    return name


def _tarball_id(tarball):
    try:
        st = os.stat(tarball)
    except OSError as e:
        raise KmapconvError("cannot read %s: %s" % (tarball, e.strerror))
    return "%s %d %d\n" % (os.path.abspath(tarball), st.st_size,
                           st.st_mtime_ns)


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return None


def _remove_stale_temps(parent):
    """Delete temp dirs of unpacks whose process is gone (interrupted)."""
    try:
        names = os.listdir(parent)
    except OSError:
        return
    for name in names:
        if not name.startswith(_TMP_PREFIX):
            continue
        try:
            pid = int(name[len(_TMP_PREFIX):].split("-")[0])
            os.kill(pid, 0)
            continue                # still running: another unpack
        except ProcessLookupError:
            pass
        except (ValueError, PermissionError):
            continue                # not ours to judge
        shutil.rmtree(os.path.join(parent, name), ignore_errors=True)


def _unpack_into(tarball, parent, members=()):
    """Unpack tarball into parent/<tree name>, atomically; return it."""
    name = tree_name(tarball)
    target = os.path.join(parent, name)
    stamp = _tarball_id(tarball)
    if _read(os.path.join(target, STAMP)) == stamp:
        return target
    try:
        os.makedirs(parent, exist_ok=True)
    except OSError as e:
        raise KmapconvError("cannot create cache directory %s: %s"
                            % (parent, e.strerror))
    _remove_stale_temps(parent)
    tmp = tempfile.mkdtemp(prefix="%s%d-" % (_TMP_PREFIX, os.getpid()),
                           dir=parent)
    try:
        print("kmapconv: unpacking %s into %s (once)" % (tarball, target),
              file=sys.stderr, flush=True)
        run.tar_extract(tarball, tmp,
                        [name + "/" + m for m in members])
        tree = os.path.join(tmp, name)
        if not os.path.isdir(tree):
            raise KmapconvError("%s has no top directory %s/"
                                % (tarball, name))
        with open(os.path.join(tree, STAMP), "w") as f:
            f.write(stamp)
        if os.path.isdir(target):
            # An older unpack (from another tarball version): move it
            # aside first; the swap keeps a complete tree at target.
            try:
                os.rename(target, os.path.join(tmp, "old"))
            except FileNotFoundError:
                pass            # a concurrent run moved it already
        try:
            os.rename(tree, target)
        except OSError as e:
            if e.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
            # A concurrent run finished first; its tree is just as good.
    except OSError as e:
        raise KmapconvError("cannot unpack %s into %s: %s"
                            % (tarball, parent, e))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def unpack(tarball, cache=None):
    """The whole tree of tarball, unpacked once under cache."""
    return _unpack_into(tarball, cache or cache_dir())


def unpack_subset(tarball, cache, members):
    """Unpack only some paths of tarball (e.g. ["fs/ceph",
    "include/linux/highmem.h"]) and return the tree's path.

    Each distinct member list gets its own cache directory, so tests can
    share one small unpack instead of the whole kernel.  The top-level
    Makefile and Kconfig are always included so the subset passes the
    kernel-tree check.
    """
    clean = set()
    for member in list(members) + ["Makefile", "Kconfig"]:
        norm = os.path.normpath(member).lstrip("/")
        if norm in ("", ".") or norm == ".." or norm.startswith("../"):
            raise KmapconvError("bad member %r for unpack_subset" % member)
        clean.add(norm)
    clean = sorted(clean)
    key = hashlib.sha256(("\n".join([tree_name(tarball)] + clean))
                         .encode()).hexdigest()[:16]
    parent = os.path.join(cache or cache_dir(), "subset-" + key)
    return _unpack_into(tarball, parent, clean)


TARBALL_SUFFIXES = (".tar.xz", ".tar.gz", ".tar.bz2", ".tar")


def is_tarball(path):
    """A kernel tarball (e.g. /usr/src/linux-source-6.12.tar.xz) given
    where a tree is expected: it is unpacked into the cache."""
    return os.path.isfile(path) and path.endswith(TARBALL_SUFFIXES)


def _check_dir(what, path, shown):
    """One clear line for a path that cannot be a readable directory:
    missing, a symlink loop, a file, or unreadable."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise KmapconvError("%s %s does not exist" % (what, shown))
    except OSError as e:
        # ELOOP: "Too many levels of symbolic links" (a symlink loop).
        raise KmapconvError("%s %s: %s" % (what, shown, e.strerror))
    if not stat.S_ISDIR(st.st_mode):
        raise KmapconvError("%s %s is not a directory" % (what, shown))
    if not os.access(path, os.R_OK | os.X_OK):
        raise KmapconvError("%s %s is not readable (permission denied)"
                            % (what, shown))


def validate_tree(ksrc):
    """Return the real path of ksrc if it looks like a kernel tree."""
    _check_dir("KSRC", ksrc, ksrc)
    real = os.path.realpath(ksrc)
    # A full tree has all three; a subset unpacked for tests has the
    # top-level Makefile and Kconfig but maybe not include/linux.
    if not (os.path.isfile(os.path.join(real, "Makefile"))
            and (os.path.isfile(os.path.join(real, "Kconfig"))
                 or os.path.isdir(os.path.join(real, "include", "linux")))):
        raise KmapconvError("KSRC %s is not a kernel tree (needs Makefile "
                            "and Kconfig or include/linux/)" % ksrc)
    return real


def resolve_subsys(ksrc_real, subsys):
    """SUBSYS as a normalised path relative to the real KSRC.

    Resolving symlinks first means "../x", an absolute path or a symlink
    that leads out of the tree are all caught by the same test.
    """
    if not subsys:
        raise KmapconvError("SUBSYS is empty (use . for the whole tree)")
    path = os.path.join(ksrc_real, subsys)
    try:
        os.stat(path)
    except FileNotFoundError:
        pass                    # "outside" or "does not exist", below
    except OSError as e:
        raise KmapconvError("SUBSYS %s: %s" % (subsys, e.strerror))
    real = os.path.realpath(path)
    if real != ksrc_real and not real.startswith(ksrc_real + os.sep):
        raise KmapconvError("SUBSYS %s is outside KSRC %s"
                            % (subsys, ksrc_real))
    if not os.path.exists(real):
        raise KmapconvError("SUBSYS %s does not exist in %s"
                            % (subsys, ksrc_real))
    _check_dir("SUBSYS", real, subsys)
    return os.path.relpath(real, ksrc_real)


def kernel_version(ksrc_real):
    """"6.1.158" from the top-level Makefile, or "" if unreadable."""
    fields = {}
    text = _read(os.path.join(ksrc_real, "Makefile")) or ""
    for line in text.splitlines()[:12]:
        key, sep, value = line.partition("=")
        if sep and key.strip() in ("VERSION", "PATCHLEVEL", "SUBLEVEL"):
            fields[key.strip()] = value.strip()
    parts = [fields.get(k) for k in ("VERSION", "PATCHLEVEL", "SUBLEVEL")]
    return ".".join(p for p in parts if p) if parts[0] else ""
