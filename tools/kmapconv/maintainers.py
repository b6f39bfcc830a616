# SPDX-License-Identifier: GPL-2.0-only
"""Who looks after what: scripts/get_maintainer.pl of a tree, remembered.

get_maintainer.pl parses all of MAINTAINERS each time it runs (a third
of a second); a whole-tree series asks it once per patch and the
dashboard once per directory.  Its answer depends only on the question
(a patch's text, or a path), MAINTAINERS and the script itself, so the
answers are kept in the cache under a key of exactly those: a rerun on
an unchanged tree asks nothing.
"""

import hashlib
import json
import os
import re

from . import cache, run
from . import ksrc as ksrc_mod

# 2: answers from a fixed Perl hash seed (run.PERL_FIXED_HASH).
# 3: from a narrowed MAINTAINERS without placeholders (narrow.py).
FORMAT = 3
_ROLE_RE = re.compile(r"^(.*?)\s+\(([^()]*(?:\([^()]*\)[^()]*)*)\)$")


def default_root(top=None):
    """<top>/maintainers; top defaults to kmapconv's cache directory."""
    return os.path.join(top or ksrc_mod.cache_dir(), "maintainers")


def _tree_id(ksrc):
    """Hash of what get_maintainer.pl reads, "" if the tree lacks it."""
    h = hashlib.sha256(b"kmapconv get_maintainer %d\0" % FORMAT)
    for name in ("scripts/get_maintainer.pl", "MAINTAINERS"):
        try:
            with open(os.path.join(ksrc, name), "rb") as f:
                h.update(f.read() + b"\0")
        except OSError:
            return ""
    return h.hexdigest()


class Answers:
    """get_maintainer.pl's answers for one tree, cached under the cache
    directory top (use_cache False: every question runs the script)."""

    def __init__(self, ksrc, top=None, use_cache=True):
        self.ksrc = ksrc
        self.tree = _tree_id(ksrc) if ksrc else ""
        self.root = default_root(top) if use_cache else None

    def _path(self, question):
        key = hashlib.sha256((self.tree + "\0" + question).encode(
            "utf-8", "surrogateescape")).hexdigest()
        return os.path.join(self.root, key[:2], key + ".json")

    def _ask(self, question, compute):
        if not self.tree:
            return []
        path = self._path(question) if self.root else None
        if path:
            try:
                with open(path, encoding="utf-8") as f:
                    return json.load(f)
            except (OSError, ValueError):
                pass
        answer = compute()
        if path:
            cache.write_json(path, answer)
        return answer

    def for_patch(self, patch_file, mpath=None):
        """The addresses for a patch (its Cc: lines), as series.py wants.
        mpath: a narrowed MAINTAINERS (narrow.py), same answer, faster."""
        with open(patch_file, encoding="utf-8",
                  errors="surrogateescape") as f:
            text = f.read()
        return self._ask("patch\0" + text,
                         lambda: run.get_maintainer(self.ksrc, patch_file,
                                                    mpath=mpath))

    def for_paths(self, relpaths):
        """(people, lists) for files or directories of the tree: people
        with their role (maintainer, reviewer, ...), mailing lists.
        MAINTAINERS often names files by pattern (drivers/md/dm*), so
        asking for the files themselves finds more than their
        directory would."""
        relpaths = sorted(relpaths)
        lines = self._ask("paths\0" + "\0".join(relpaths),
                          lambda: run.get_maintainer(
                              self.ksrc, relpaths, path=True,
                              rolestats=True))
        return split_roles(lines)


def split_roles(lines):
    """get_maintainer.pl --rolestats lines as (people, lists).

    "Name <a@b> (maintainer:SECTION)" is a person with a role;
    "list@host (open list:SECTION)" a mailing list, and so is a bare
    address in an M: line (a group, such as dm-devel@...).
    """
    people, lists = [], []
    for line in lines:
        match = _ROLE_RE.match(line)
        who, role = (match.group(1), match.group(2)) if match else (line, "")
        kind = role.split(":", 1)[0]
        if "list" in kind or "<" not in who:
            if who not in lists:
                lists.append(who)
        elif (who, kind) not in people:
            people.append((who, kind or "maintainer"))
    return people, lists
