# SPDX-License-Identifier: GPL-2.0-only
"""The kernel tree vm-test builds: a hard-linked copy of KSRC, kept.

  <cache>/vm/<id>/src      cp -al of KSRC; files that differ are private
  <cache>/vm/<id>/build    make O=...: kept, so a rerun rebuilds only
                           what changed
  <cache>/vm/<id>.lock     one vm-test per tree at a time

KSRC is never written.  Each run builds what src should hold in a
throw-away staging copy (cp -al again, about a second): the conversion
patches, the overlay, markers.  Then only the files whose bytes differ
from what src holds now are written into src, each as a private copy.
Files a run leaves alone keep their mtime, so kbuild does not rebuild
them; a file that goes back to KSRC's bytes is written as a fresh
private copy, so kbuild sees it changed (a hard link to KSRC would carry
KSRC's old mtime and leave a stale object behind).
"""

import json
import os
import shutil
import subprocess
import sys
import time

from kerneltree import treecache
from kerneltree.fingerprint import fingerprint

from .errors import VmTestError


def _lstat(path):
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None


def hardlink_copy(src, dst):
    """cp -al src dst; a VmTestError if the tree cannot be linked (e.g.
    another filesystem): vm-test does not fall back to 1.5 GB copies."""
    proc = subprocess.run(["cp", "-al", src, dst], capture_output=True,
                          text=True)
    if proc.returncode != 0:
        shutil.rmtree(dst, ignore_errors=True)
        raise VmTestError("cannot hard-link %s into %s (the cache must be "
                          "on the same filesystem; set KMAPCONV_CACHE): %s"
                          % (src, dst, proc.stderr.strip().splitlines()[-1:]))


def _same_bytes(a, b):
    sa, sb = _lstat(a), _lstat(b)
    if not sa or not sb or sa.st_size != sb.st_size:
        return False
    # private copies get the owner's write bit; nothing else may differ
    if (sa.st_mode | 0o200) & 0o777 != (sb.st_mode | 0o200) & 0o777:
        return False
    if sa.st_ino == sb.st_ino and sa.st_dev == sb.st_dev:
        return True
    with open(a, "rb") as fa, open(b, "rb") as fb:
        while True:
            ca, cb = fa.read(1 << 16), fb.read(1 << 16)
            if ca != cb:
                return False
            if not ca:
                return True


def private_copy(path):
    """Replace path, maybe a hard link into KSRC, by its own copy, so
    that writing to it (even in place) cannot reach KSRC."""
    st = _lstat(path)
    if not st or not os.path.isfile(path) or os.path.islink(path):
        return
    if st.st_nlink == 1:
        return
    tmp = path + ".vmtest-tmp"
    shutil.copyfile(path, tmp)
    os.chmod(tmp, st.st_mode & 0o777 | 0o200)
    os.replace(tmp, path)


def _copy_into(src_file, dst):
    """dst becomes a private copy of src_file with a fresh mtime."""
    os.makedirs(os.path.dirname(dst), exist_ok=True)
    tmp = dst + ".vmtest-tmp"
    if os.path.lexists(tmp):
        os.unlink(tmp)
    shutil.copyfile(src_file, tmp)
    os.chmod(tmp, os.stat(src_file).st_mode & 0o777 | 0o200)
    if os.path.isdir(dst) and not os.path.islink(dst):
        shutil.rmtree(dst)
    os.replace(tmp, dst)


class BuildCopy:
    """Use as a context manager (it holds the tree's lock)."""

    def __init__(self, ksrc_real, cache):
        self.ksrc = ksrc_real
        self.root = os.path.join(cache, "vm",
                                 treecache.entry_name(ksrc_real))
        self.src = os.path.join(self.root, "src")
        self.build = os.path.join(self.root, "build")
        self.staging = os.path.join(self.root, "staging")
        self._state_path = os.path.join(self.root, "state.json")
        self._lock = None
        self.state = {}
        self.fingerprint = None

    def __enter__(self):
        if treecache.overlap(self.ksrc, self.root):
            raise VmTestError("KSRC %s and the vm-test cache %s overlap; "
                              "set KMAPCONV_CACHE elsewhere"
                              % (self.ksrc, self.root))
        os.makedirs(os.path.dirname(self.root), exist_ok=True)
        self._lock = treecache.lock(
            self.root + ".lock",
            "vm-test: waiting for another vm-test of this tree")
        try:
            self._sync()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        shutil.rmtree(self.staging, ignore_errors=True)
        treecache.unlock(self._lock)
        self._lock = None

    def _save(self):
        with open(self._state_path + ".tmp", "w") as f:
            json.dump(self.state, f, sort_keys=True, indent=1)
        os.replace(self._state_path + ".tmp", self._state_path)

    def _sync(self):
        """src and build match KSRC as it is now, or start afresh."""
        self.fingerprint = fingerprint(self.ksrc)
        try:
            with open(self._state_path) as f:
                self.state = json.load(f)
        except (OSError, ValueError):
            self.state = {}
        if (self.state.get("ksrc") == self.ksrc
                and self.state.get("fingerprint") == self.fingerprint
                and os.path.isdir(self.src)):
            return
        start = time.monotonic()
        for path in (self._state_path, self.src, self.build):
            if os.path.isdir(path):
                shutil.rmtree(path)
            elif os.path.lexists(path):
                os.unlink(path)
        os.makedirs(self.root, exist_ok=True)
        hardlink_copy(self.ksrc, self.src)
        self.state = {"ksrc": self.ksrc, "fingerprint": self.fingerprint,
                      "private": []}
        self._save()
        print("vm-test: linked KSRC into %s (%.1f s)"
              % (self.src, time.monotonic() - start), file=sys.stderr,
              flush=True)

    # -- staging: what src should hold ------------------------------------

    def new_staging(self):
        """A fresh hard-linked copy of KSRC to make this run's changes in."""
        shutil.rmtree(self.staging, ignore_errors=True)
        hardlink_copy(self.ksrc, self.staging)
        return self.staging

    def _changed_in_staging(self):
        """Paths (relative) that differ from KSRC: other bytes, new, or
        gone.  (A private copy with KSRC's bytes is no change.)"""
        changed = set()
        for root, dirs, files in os.walk(self.staging):
            rel_root = os.path.relpath(root, self.staging)
            for name in files + [d for d in dirs
                                 if os.path.islink(os.path.join(root, d))]:
                rel = os.path.normpath(os.path.join(rel_root, name))
                st = _lstat(os.path.join(root, name))
                orig = _lstat(os.path.join(self.ksrc, rel))
                if not orig or ((st.st_ino, st.st_dev)
                                != (orig.st_ino, orig.st_dev)
                                and not _same_bytes(
                                    os.path.join(root, name),
                                    os.path.join(self.ksrc, rel))):
                    changed.add(rel)
        for root, dirs, files in os.walk(self.ksrc):
            rel_root = os.path.relpath(root, self.ksrc)
            for name in files:
                rel = os.path.normpath(os.path.join(rel_root, name))
                if not os.path.lexists(os.path.join(self.staging, rel)):
                    changed.add(rel)
        return changed

    def commit_staging(self):
        """Bring src to staging's content, writing only what differs.
        Returns the paths written."""
        if fingerprint(self.ksrc) != self.fingerprint:
            raise VmTestError("KSRC %s changed while vm-test ran (was "
                              "something written through a hard link?); "
                              "run again on a clean tree" % self.ksrc)
        changed = self._changed_in_staging()
        paths = sorted(changed | set(self.state.get("private", [])))
        written = []
        for rel in paths:
            want = os.path.join(self.staging, rel)
            have = os.path.join(self.src, rel)
            if not os.path.lexists(want):
                if os.path.lexists(have):
                    os.unlink(have)
                    written.append(rel)
                continue
            if os.path.islink(want):
                if (not os.path.islink(have)
                        or os.readlink(have) != os.readlink(want)):
                    if os.path.lexists(have):
                        os.unlink(have)
                    os.makedirs(os.path.dirname(have), exist_ok=True)
                    os.symlink(os.readlink(want), have)
                    written.append(rel)
                continue
            st = _lstat(have)
            if (st and st.st_nlink == 1 and not os.path.islink(have)
                    and _same_bytes(want, have)):
                continue
            _copy_into(want, have)
            written.append(rel)
        self.state["private"] = paths
        self._save()
        shutil.rmtree(self.staging, ignore_errors=True)
        return written
