# SPDX-License-Identifier: GPL-2.0-only
"""A patched copy of KSRC and configured build directories, cached.

verify must compile patched files without ever writing into KSRC (it may
be a read-only, pristine tree), so it works on a copy:

  <cache>/verify/<id>/src            cp -al of KSRC: hard links, no data
  <cache>/verify/<id>/build-<arch>   make O=... allmodconfig + prepare
  <cache>/verify/<id>.lock           one verify per tree at a time

A hard-linked file shares its bytes with KSRC, so a file is unlinked and
replaced by a private copy before anything writes to it; GNU patch would
break the link on its own (it writes a new file and renames it), but the
copy makes that independent of patch's habits.  Every path that is about
to differ from KSRC is first written to a manifest, so a run that was
killed half-way is undone by the next one.  Between runs src equals KSRC.

The copy and the build directories are reused while KSRC is unchanged
(same fingerprint: the name, size, mtime and inode of every file); a
changed KSRC gets a fresh copy and fresh configurations.
"""

import os
import shutil
import sys
import tempfile
import time

from kerneltree import kbuild, treecache
from kerneltree.fingerprint import fingerprint

from . import ksrc, run
from .errors import KmapconvError

# The options a configuration must have (kerneltree.kbuild, shared with
# the audit): allmodconfig turns them on in 6.1; they are checked (and
# forced if a tree's allmodconfig does not) because verify is only worth
# something with them.  x86_64 has no HIGHMEM, so it contributes the
# other half of the configurations.
REQUIRED = kbuild.REQUIRED
# Bump when the way build directories are configured changes, so
# existing caches are configured again.
_RECIPE = 1


_read_json = kbuild.read_json
_write_json = kbuild.write_json


def _rmtree(path):
    if os.path.lexists(path):
        shutil.rmtree(path)


def _unset(config, symbols):
    """The symbols that are not =y in the .config file config."""
    try:
        return kbuild.unset_options(config, symbols)
    except kbuild.KbuildError as e:
        raise KmapconvError(str(e))


def make_error(proc):
    """The line that best says why a make run failed."""
    lines = [l.strip() for l in proc.stderr.splitlines() if l.strip()]
    for line in lines:
        if "error" in line.lower() or "***" in line:
            return line
    return lines[0] if lines else "exit %d" % proc.returncode


class BuildTree:
    """Use as a context manager: locks the cache entry of ksrc_real and
    brings src back to KSRC's state, on entry and on exit."""

    def __init__(self, ksrc_real, cache=None):
        self.ksrc = ksrc_real
        parent = os.path.join(cache or ksrc.cache_dir(), "verify")
        self.root = os.path.join(parent, treecache.entry_name(ksrc_real))
        self.src = os.path.join(self.root, "src")
        self._lockpath = self.root + ".lock"
        self._manifest = os.path.join(self.root, "touched")
        self._lock = None
        self.linked = True
        self.fingerprint = None

    # -- the copy ---------------------------------------------------------

    def __enter__(self):
        # cp -al into itself, or writes in KSRC, otherwise.
        cache = os.path.realpath(os.path.dirname(self.root))
        if treecache.overlap(self.ksrc, cache):
            raise KmapconvError("KSRC %s and the verify cache %s "
                                "overlap; set KMAPCONV_CACHE elsewhere"
                                % (self.ksrc, cache))
        try:
            os.makedirs(os.path.dirname(self.root), exist_ok=True)
            self._lock = treecache.lock(
                self._lockpath,
                "kmapconv: waiting for another verify of this tree")
        except OSError as e:
            raise KmapconvError("cannot create the verify cache %s: %s"
                                % (self.root, e.strerror))
        try:
            self._sync()
        except BaseException:
            self._unlock()
            raise
        return self

    def __exit__(self, *exc):
        try:
            self.restore()
        finally:
            self._unlock()

    def _unlock(self):
        treecache.unlock(self._lock)
        self._lock = None

    def _sync(self):
        """Make src a copy of KSRC as it is now."""
        self.fingerprint = fingerprint(self.ksrc)
        meta = _read_json(os.path.join(self.root, "tree.json"))
        if (meta and meta.get("ksrc") == self.ksrc
                and meta.get("fingerprint") == self.fingerprint
                and os.path.isdir(self.src)):
            self.linked = meta.get("linked", False)
            self.restore()
            return
        start = time.monotonic()
        try:
            _rmtree(self.root)
            os.makedirs(self.root)
        except OSError as e:
            raise KmapconvError("cannot reset the verify cache %s: %s"
                                % (self.root, e))
        problem = run.copy_tree(self.ksrc, self.src, hardlink=True)
        self.linked = not problem
        if problem:
            print("kmapconv: cannot hard-link KSRC into the cache (%s); "
                  "copying it instead (about 1.5 GB)" % problem,
                  file=sys.stderr, flush=True)
            _rmtree(self.src)
            problem = run.copy_tree(self.ksrc, self.src, hardlink=False)
            if problem:
                _rmtree(self.src)
                raise KmapconvError("cannot copy KSRC into %s: %s"
                                    % (self.src, problem))
        # Written last: a copy without tree.json is never trusted.
        _write_json(os.path.join(self.root, "tree.json"),
                    {"ksrc": self.ksrc, "fingerprint": self.fingerprint,
                     "linked": self.linked})
        print("kmapconv: copied KSRC into %s (%s, %.1f s)"
              % (self.src, "hard links" if self.linked else "full copy",
                 time.monotonic() - start), file=sys.stderr, flush=True)

    def _touched(self):
        try:
            with open(self._manifest) as f:
                return sorted({l.rstrip("\n") for l in f if l.strip()})
        except FileNotFoundError:
            return []

    def _note(self, paths):
        with open(self._manifest, "a") as f:
            f.write("".join(p + "\n" for p in paths))
            f.flush()
            os.fsync(f.fileno())

    def _put_back(self, path):
        """Make src/path what KSRC/path is (or absent, like there)."""
        dst = os.path.join(self.src, path)
        orig = os.path.join(self.ksrc, path)
        if os.path.lexists(dst) and not os.path.isdir(dst):
            os.unlink(dst)
        if os.path.lexists(orig):
            # patch removes a directory it has emptied.
            os.makedirs(os.path.dirname(dst), exist_ok=True)
        if os.path.islink(orig):
            os.symlink(os.readlink(orig), dst)
        elif os.path.isfile(orig):
            try:
                if not self.linked:
                    raise PermissionError
                os.link(orig, dst)
            except OSError:
                shutil.copy2(orig, dst)

    def restore(self):
        """Undo apply(): src is KSRC's state again."""
        touched = self._touched()
        try:
            for path in touched:
                self._put_back(path)
            if os.path.exists(self._manifest):
                os.unlink(self._manifest)
        except OSError as e:
            raise KmapconvError("cannot restore %s in the verify cache: %s"
                                % (self.src, e))

    def _own_copy(self, path):
        """Replace src/path, maybe a hard link into KSRC, by a private,
        writable copy of the same bytes."""
        dst = os.path.join(self.src, path)
        if os.path.islink(dst) or not os.path.isfile(dst):
            return
        fd, tmp = tempfile.mkstemp(prefix=".kmapconv-",
                                   dir=os.path.dirname(dst))
        try:
            with os.fdopen(fd, "wb") as out, open(dst, "rb") as f:
                shutil.copyfileobj(f, out)
            os.chmod(tmp, os.stat(dst).st_mode & 0o777 | 0o200)
            os.replace(tmp, dst)
            tmp = None
        finally:
            if tmp:
                os.unlink(tmp)

    def apply(self, patch_file, paths):
        """Apply patch_file (-p1) to src; paths: every path it names."""
        # patch may also leave NAME.rej / NAME.orig behind on failure.
        noted = [p + suffix for p in paths for suffix in ("", ".rej", ".orig")]
        try:
            self._note(noted)
            for path in paths:
                self._own_copy(path)
        except OSError as e:
            raise KmapconvError("cannot prepare %s in the verify cache: %s"
                                % (self.src, e))
        try:
            run.apply_patch(patch_file, self.src)
        except KmapconvError:
            self.restore()
            raise

    def check_ksrc_unchanged(self):
        """The promise that KSRC is never written, checked."""
        if fingerprint(self.ksrc) != self.fingerprint:
            raise KmapconvError("KSRC %s changed while verify ran; run it "
                                "again" % self.ksrc)

    # -- the build directories ----------------------------------------------

    def objdir(self, arch):
        return os.path.join(self.root, "build-" + arch)

    def make(self, arch, targets, jobs, keep_going=False, dry_run=False):
        return run.kbuild(self.src, self.objdir(arch), arch, targets, jobs,
                          keep_going, dry_run)

    def _make_or_fail(self, arch, targets, jobs):
        proc = self.make(arch, targets, jobs)
        if proc.returncode != 0:
            raise KmapconvError("make ARCH=%s %s failed (exit %d): %s"
                                % (arch, " ".join(targets), proc.returncode,
                                   make_error(proc)))

    def configure(self, arch, jobs):
        """allmodconfig + prepare for arch, once per tree.  Returns the
        seconds it took (0 when the cached directory was reused)."""
        stamp = self.objdir(arch) + ".json"
        recipe = {"recipe": _RECIPE, "arch": arch,
                  "required": list(REQUIRED[arch])}
        if _read_json(stamp) == recipe and os.path.isdir(self.objdir(arch)):
            return 0.0
        start = time.monotonic()
        print("kmapconv: configuring %s (allmodconfig + prepare, once per "
              "tree) in %s" % (arch, self.objdir(arch)),
              file=sys.stderr, flush=True)
        try:
            if os.path.exists(stamp):
                os.unlink(stamp)
            _rmtree(self.objdir(arch))
        except OSError as e:
            raise KmapconvError("cannot reset %s: %s" % (self.objdir(arch), e))
        self._make_or_fail(arch, ["allmodconfig"], jobs)
        config = os.path.join(self.objdir(arch), ".config")
        missing = _unset(config, REQUIRED[arch])
        if missing:
            run.kconfig_enable(self.src, config, missing)
            self._make_or_fail(arch, ["olddefconfig"], jobs)
            missing = _unset(config, REQUIRED[arch])
            if missing:
                raise KmapconvError("ARCH=%s allmodconfig cannot enable "
                                    "CONFIG_%s" % (arch, missing[0]))
        self._make_or_fail(arch, ["prepare"], jobs)
        _write_json(stamp, recipe)
        return time.monotonic() - start


def check_clean(ksrc_real):
    """kbuild refuses an O= build from a source tree that an in-tree
    build has configured; say so before copying 1.5 GB of links."""
    for name in (".config", os.path.join("include", "config")):
        if os.path.lexists(os.path.join(ksrc_real, name)):
            raise KmapconvError("KSRC %s has %s from an in-tree build; "
                                "verify builds out of tree (run make "
                                "mrproper there, or use a clean copy)"
                                % (ksrc_real, name))
