# SPDX-License-Identifier: GPL-2.0-only
"""Per-file spatch results kept between runs, so a rerun redoes only
what changed.

What a file's result depends on, and so what its key holds:

- the file group spatch sees: the candidate's path and bytes, and the
  path and bytes of each local header grouped with it (groups.py's
  file groups), since the semantic patch reads those headers too;
- the rule set: every .cocci file beside the semantic patch run (and
  that patch itself), the Python modules in the directories beside it
  (the semantic patch's logic), the spatch command line without its
  --timeout, spatch's version line, kmapconv's version and the source of the
  driver modules that turn spatch's output into per-file results.

The rule set names a directory, the group a file in it:
<cache>/results/<rule set>/<2 hex>/<key>.json.  Each entry also
records its rule set and key, and one that does not match is ignored,
however it got there.  Entries are written to a temporary file and
renamed into place, so a crash never leaves half an entry, and each one
is written as soon as its spatch batch finishes: an interrupted run
keeps what it finished.

A timeout depends on the limit in force, so a cached timeout is reused
only while --timeout is not raised above the one it had.  A job killed
by a signal (out of memory, an interrupt) is never cached.

Editing the semantic patch starts a new rule set every time, so rule
sets not used for MAX_AGE_DAYS go, and beyond the KEEP_RULESETS used
last the oldest go (tests make many small ones; a whole tree's results
take a few MB).
"""

import hashlib
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field

from . import __version__, ksrc, run

FORMAT = 1
KEEP_RULESETS = 32
MAX_AGE_DAYS = 30
TIMEOUT_REASON = "timeout"
# Driver modules whose code shapes a cached result (gnuparallel.py reads
# the job outputs, run.py diffs the rebased files).
_DRIVER_MODULES = ("spatch.py", "groups.py", "views.py", "batches.py",
                   "gnuparallel.py", "cache.py", "run.py", "reduce.py")


@dataclass
class FileResult:
    """What spatch produced for one candidate file."""
    records: list = field(default_factory=list)   # parsed JSON objects
    diff: str = ""            # its section of the patch, "" if none
    failure: str = None       # why spatch failed on it, None if it did not


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _read_bytes(path):
    with open(path, "rb") as f:
        return f.read()


def _option_value(argv, option):
    for i, arg in enumerate(argv[:-1]):
        if arg == option:
            return argv[i + 1]
    return None


def rule_files(cocci):
    """The semantic patch, every .cocci/.iso file beside it and the Python
    modules in the directories beside it (kmap_local.cocci's logic is
    the package kmap_local/)."""
    cocci = os.path.abspath(cocci)
    folder = os.path.dirname(cocci)
    names = sorted(n for n in os.listdir(folder)
                   if n.endswith((".cocci", ".iso")))
    paths = [os.path.join(folder, n) for n in names]
    for sub in sorted(os.listdir(folder)):
        for top, dirs, files in os.walk(os.path.join(folder, sub)):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            paths += [os.path.join(top, n) for n in sorted(files)
                      if n.endswith(".py")]
    return paths if cocci in paths else [cocci] + paths


def ruleset_id(argv):
    """The hash naming everything but the files that a result depends on.

    argv is spatch's command (see spatch.command); its --sp-file names
    the semantic patch.
    """
    h = hashlib.sha256(b"kmapconv rule set %d\0" % FORMAT)
    cocci = _option_value(argv, "--sp-file")
    skip = {i for i, arg in enumerate(argv[:-1]) if arg == "--timeout"}
    for i, arg in enumerate(argv):
        if i in skip or i - 1 in skip:
            continue
        # The semantic patch by content, not by where the checkout is.
        h.update((os.path.basename(arg) if arg == cocci else arg).encode()
                 + b"\0")
    folder = os.path.dirname(os.path.abspath(cocci)) if cocci else None
    for path in rule_files(cocci) if cocci else []:
        h.update(os.path.relpath(path, folder).encode() + b"\0"
                 + _read_bytes(path) + b"\0")
    h.update(run.spatch_version().splitlines()[0].encode() + b"\0")
    h.update(__version__.encode() + b"\0")
    here = os.path.dirname(os.path.abspath(__file__))
    for name in _DRIVER_MODULES:
        h.update(_read_bytes(os.path.join(here, name)) + b"\0")
    return h.hexdigest()


def default_root(top=None):
    """<top>/results; top defaults to kmapconv's cache directory."""
    return os.path.join(top or ksrc.cache_dir(), "results")


class ResultCache:
    """The cached results of one rule set; see the module docstring."""

    def __init__(self, ruleset, timeout, top=None):
        self.ruleset = ruleset
        self.timeout = timeout
        self.root = default_root(top)
        self.dir = os.path.join(self.root, ruleset[:32])
        self.stored = 0
        self.store_errors = 0
        self._prune()

    @classmethod
    def for_command(cls, argv, timeout, top=None):
        return cls(ruleset_id(argv), timeout, top)

    def _prune(self):
        """Keep the rule sets used last; mark this one used now."""
        try:
            os.makedirs(self.dir, exist_ok=True)
            os.utime(self.dir)
            others = [os.path.join(self.root, n)
                      for n in os.listdir(self.root)]
        except OSError:
            return              # an unwritable cache only costs time
        used = {}
        for path in others:
            try:
                if path != self.dir and os.path.isdir(path):
                    used[path] = os.stat(path).st_mtime
            except OSError:
                pass            # pruned by a concurrent run
        oldest = time.time() - MAX_AGE_DAYS * 86400
        ranked = sorted(used, key=used.get, reverse=True)
        for n, path in enumerate(ranked, 2):
            if n > KEEP_RULESETS or used[path] < oldest:
                shutil.rmtree(path, ignore_errors=True)

    @staticmethod
    def key(ksrc_dir, path, headers):
        """The key of path's group, or None if a file cannot be read
        (spatch will say what is wrong with it)."""
        h = hashlib.sha256(b"kmapconv file group %d\0" % FORMAT)
        try:
            for name in [path] + list(headers):
                data = _read_bytes(os.path.join(ksrc_dir, name))
                h.update(b"%s\0%d\0" % (name.encode(), len(data)) + data)
        except OSError:
            return None
        return h.hexdigest()

    def _entry_path(self, key):
        return os.path.join(self.dir, key[:2], key + ".json")

    def load(self, key):
        """The FileResult stored under key, or None."""
        try:
            with open(self._entry_path(key), encoding="utf-8") as f:
                entry = json.load(f)
        except (OSError, ValueError):
            return None
        if (not isinstance(entry, dict) or entry.get("format") != FORMAT
                or entry.get("ruleset") != self.ruleset
                or entry.get("key") != key):
            return None
        failure = entry.get("failure")
        if failure == TIMEOUT_REASON and self.timeout is not None \
                and self.timeout > (entry.get("timeout") or 0):
            return None         # more time might be enough now
        records, diff = entry.get("records"), entry.get("diff")
        if not isinstance(records, list) or not isinstance(diff, str):
            return None
        return FileResult(records, diff, failure)

    def store(self, key, path, result):
        """Write one entry atomically; a failure only costs a rerun."""
        if key is None:
            return
        entry = {"format": FORMAT, "ruleset": self.ruleset, "key": key,
                 "file": path, "timeout": self.timeout,
                 "records": result.records, "diff": result.diff,
                 "failure": result.failure}
        if write_json(self._entry_path(key), entry):
            self.stored += 1
        else:
            self.store_errors += 1


def write_json(path, value):
    """Write value as JSON to path atomically (a temporary file renamed
    into place); False if that failed.  ASCII JSON: undecodable bytes of
    a diff (surrogate escapes) survive the round trip."""
    tmp = None
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(value, f)
        os.replace(tmp, path)
        tmp = None
        return True
    except OSError:
        return False
    finally:
        if tmp:
            try:
                os.unlink(tmp)
            except OSError:
                pass
