# SPDX-License-Identifier: GPL-2.0-only
"""Who looks after what: scripts/get_maintainer.pl of a tree, remembered.

get_maintainer.pl parses all of MAINTAINERS each time it runs (a third
of a second); a whole-tree series asks it once per patch and the
dashboard once per directory.  Its answer depends only on the question
(a patch's text, or a path), MAINTAINERS and the script itself, so the
answers are kept in the cache under a key of exactly those: a rerun on
an unchanged tree asks nothing.  The questions a run does ask go
together to run.get_maintainer_many(), which compiles the script once.
"""

import hashlib
import json
import os
import re

from . import cache, narrow, run
from . import ksrc as ksrc_mod

# 2: answers from a fixed Perl hash seed (run.PERL_FIXED_HASH).
# 3: from a narrowed MAINTAINERS without placeholders (narrow.py).
FORMAT = 3
def _who_and_role(line):
    """("Name <a@b>" or "list@host", role) of a --rolestats line.  The
    role is in parentheses after the address; get_maintainer.pl cuts a
    long section name short with "...", which can leave them unbalanced
    ("(open list:X (Y, Z...)"), and a kind may have its own ("orphan
    (book3e and 32-bit):X")."""
    split = line.find(" (", line.rfind(">") + 1)
    if split < 0:
        return line, ""
    role = line[split + 2:]
    return line[:split], role[:-1] if role.endswith(")") else role


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

    def _recall(self, question):
        """The remembered answer, None if there is none."""
        if not self.root:
            return None
        try:
            with open(self._path(question), encoding="utf-8") as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    def _keep(self, question, answer):
        if self.root:
            cache.write_json(self._path(question), answer)

    def _ask_many(self, questions, arguments, jobs, scratch):
        """The answers to questions (cache keys), those not remembered
        asked with arguments(n) (get_maintainer.pl's for question n) in
        one run.get_maintainer_many (scratch: an empty directory for
        it)."""
        if not self.tree:
            return [[] for _ in questions]
        found = [self._recall(q) for q in questions]
        todo = [n for n, answer in enumerate(found) if answer is None]
        asked = run.get_maintainer_many(
            self.ksrc, [arguments(n) for n in todo], jobs, scratch)
        for n, answer in zip(todo, asked):
            self._keep(questions[n], answer)
            found[n] = answer
        return found

    def for_patches(self, patch_files, mpath_for, jobs, scratch):
        """(people, lists) for each of patch_files (see split_roles), as
        series.py wants them for To: and Cc:.  mpath_for(patch_file): a
        narrowed MAINTAINERS for it (narrow.py; same answer, faster) or
        None, asked only for the patches not remembered."""
        questions = []
        for patch_file in patch_files:
            with open(patch_file, encoding="utf-8",
                      errors="surrogateescape") as f:
                questions.append("patch-roles\0" + f.read())
        found = self._ask_many(
            questions, lambda n: run.get_maintainer_args(
                patch_files[n], rolestats=True,
                mpath=mpath_for(patch_files[n])),
            jobs, scratch)
        return [split_roles(lines) for lines in found]

    def sections_of(self, paths, mpath, jobs, scratch):
        """{path: (name, {type: [values]})} of the MAINTAINERS entry that
        takes each of paths: the most specific that matches (see
        best_section()).  A file only the catch-all entry matches (THE
        REST: F: *) is taken by the entry of its directory, if one
        matches that (fs/minix/ by the filesystems' fs/*), since that
        is where a patch to it goes.  Paths nothing matches, or all if
        the script cannot run, are left out.  mpath(): a MAINTAINERS
        narrowed to paths, or None, asked for only if an answer is not
        remembered."""
        taken = self._best_of(sorted(paths), mpath, jobs, scratch)
        # A file only the catch-all matches (fs/minix/dir.c) or whose
        # entry names no list (an orphan) goes where its directory's
        # would: that entry's, as get_maintainer.pl sees a file of the
        # directory's name (fs/minix matches fs/*; fs/minix/dir.c not).
        lost = {p for p, (_n, typed, rank) in taken.items()
                if "/" in p and (rank[0] < 0 or not typed.get("L"))}
        whole = self._whole() if lost else None
        out = {}
        for path, (name, typed, rank) in taken.items():
            parent = None
            if path in lost and whole:
                directory = os.path.dirname(path)
                parent = best_section(self.ksrc, directory, [
                    parse_sections(whole.sections[i][0])[0]
                    for i in sorted(whole.matching({directory}))])
            if parent and parent[2][0] >= 0:
                if rank[0] < 0:
                    name, typed = parent[0], parent[1]
                else:
                    typed = {k: typed.get(k, []) + [
                        v for v in parent[1].get(k, [])
                        if v not in typed.get(k, [])]
                        for k in set(typed) | set(parent[1])}
            out[path] = (name, typed)
        return out

    def for_paths(self, groups, jobs, scratch):
        """(people, lists) for each of groups (sets of files or
        directories of the tree): people with their role (maintainer,
        reviewer, ...), mailing lists.  MAINTAINERS often names files by
        pattern (drivers/md/dm*), so asking for the files themselves
        finds more than their directory would."""
        groups = [sorted(g) for g in groups]
        found = self._ask_many(
            ["paths\0" + "\0".join(g) for g in groups],
            lambda n: run.get_maintainer_args(groups[n], path=True,
                                              rolestats=True),
            jobs, scratch)
        return [split_roles(lines) for lines in found]

    def _whole(self):
        """The tree's MAINTAINERS (narrow.Maintainers), None if unread."""
        try:
            with open(os.path.join(self.ksrc, "MAINTAINERS"),
                      encoding="utf-8", errors="surrogateescape") as f:
                return narrow.Maintainers(f.read())
        except OSError:
            return None

    def _best_of(self, paths, mpath, jobs, scratch):
        narrowed = []

        def args(n):
            if not narrowed:
                narrowed.append(mpath())
            return run.get_maintainer_args(paths[n], path=True,
                                           mpath=narrowed[0], sections=True)
        found = self._ask_many(["sections\0" + p for p in paths], args,
                               jobs, scratch)
        taken = {}
        for path, lines in zip(paths, found):
            best = best_section(self.ksrc, path, parse_sections(lines))
            if best:
                taken[path] = best
        return taken


_TYPED_RE = re.compile(r"^([A-Z]):\s*(.*)")


def parse_sections(lines):
    """get_maintainer.pl --sections lines as [(name, {type: [values]})],
    in its order."""
    sections = []
    for line in lines:
        m = _TYPED_RE.match(line)
        if not m:
            sections.append((line, {}))
        elif sections:
            sections[-1][1].setdefault(m.group(1), []).append(m.group(2))
    return sections


def _pattern_depth(ksrc, path, pattern):
    """How specifically F: pattern names path, as get_maintainer.pl
    ranks it: (the pattern's depth, its literal characters), or None
    when it does not match.  A pattern naming the file itself beats a
    wildcard in its directory (fs/aio.c over fs/*), which the script
    ranks alike."""
    rx = (pattern.replace(".", "\\.").replace("*", ".*")
          .replace("?", "."))
    if not rx.endswith("/") and ksrc and os.path.isdir(
            os.path.join(ksrc, pattern)):
        rx += "/"
    try:
        if not re.match(rx, path):
            return None
    except re.error:
        return None
    if not rx.endswith("/") and path.count("/") != rx.count("/"):
        return None
    depth = -1 if rx.startswith(".*") else (
        rx.count("/") + (0 if rx.endswith("/") else 1))
    return depth, len(_LITERAL_RE.match(pattern).group())


_LITERAL_RE = re.compile(r"[^*?\[\](){}+|^$\\]*")


def best_section(ksrc, path, sections):
    """(name, {type: [values]}, rank) of the entry of sections
    (parse_sections()) whose F: pattern names path most specifically
    (see _pattern_depth(); an entry matched only by N: ranks lowest);
    the first listed among equals; None if there is none."""
    best = None
    for name, typed in sections:
        ranks = [r for r in (_pattern_depth(ksrc, path, p)
                             for p in typed.get("F", [])) if r]
        rank = max(ranks) if ranks else (-2, 0)
        if best is None or rank > best[2]:
            best = (name, typed, rank)
    return best


def split_roles(lines):
    """get_maintainer.pl --rolestats lines as (people, lists).

    "Name <a@b> (maintainer:SECTION)" is a person with a role;
    "list@host (open list:SECTION)" a mailing list, and so is a bare
    address in an M: line (a group, such as dm-devel@...).
    """
    people, lists = [], []
    for line in lines:
        who, role = _who_and_role(line)
        kind = role.split(":", 1)[0]
        if "list" in kind or "<" not in who:
            if who not in lists:
                lists.append(who)
        elif (who, kind) not in people:
            people.append((who, kind or "maintainer"))
    return people, lists
