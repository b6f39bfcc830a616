# SPDX-License-Identifier: GPL-2.0-only
"""What the review looks at: the hunks that add or remove a mapping
call, the functions they touch (before and after the patch), and how
lines move between the original and the final files."""

import re
from dataclasses import dataclass, field

from kerneltree.csource import strip_comments_and_strings

from kerneltree import csource

from . import mapcalls


def _norm(text):
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class FileScope:
    pre_path: str               # None for a new file
    post_path: str              # None for a deleted file
    pre_text: str = None
    post_text: str = None
    pre_funcs: list = field(default_factory=list)     # touched, before
    post_funcs: list = field(default_factory=list)    # touched, after
    origins: list = field(default_factory=list)       # final -> original
    # function name -> the normalised lines the patch removes from it
    removed: dict = field(default_factory=dict)
    hunks: list = field(default_factory=list)   # relevant (message, Hunk)

    def post_line_of(self, pre_line):
        """Where original line pre_line is in the final file, or None."""
        if not hasattr(self, "_final_of"):
            self._final_of = {o: n for n, o in enumerate(self.origins, 1)
                              if o is not None}
        return self._final_of.get(pre_line)

    def is_added(self, post_line):
        return self.origins[post_line - 1] is None

    def is_moved(self, post_line):
        """An added line whose text the patch removes from the same
        function (moved or re-indented code, not new code)."""
        func = self.post_function(post_line)
        text = self.post_text.split("\n")[post_line - 1]
        return func is not None and \
            _norm(text) in self.removed.get(func.name, ())

    def post_function(self, line):
        return csource.at(self.post_funcs, line)

    def pre_function(self, line):
        return csource.at(self.pre_funcs, line)

    def post_function_named(self, name):
        for f in self.post_funcs:
            if f.name == name:
                return f
        return None

    def post_lines(self):
        return self.post_text.split("\n") if self.post_text else []


def build(messages, applied):
    """{post path (or pre path if deleted): FileScope} for every file with
    a relevant hunk."""
    scopes = {}
    for m in messages:
        for fd in m.files:
            if not any(h.relevant for h in fd.hunks):
                continue
            key = fd.new_path or fd.old_path
            fs = scopes.get(key)
            if fs is None:
                pre = fd.old_path
                # A file renamed by an earlier message keeps its first name.
                for other in scopes.values():
                    if other.post_path == fd.old_path and fd.old_path:
                        pre = other.pre_path
                fs = FileScope(pre, fd.new_path)
                scopes[key] = fs
            fs.hunks += [(m, h) for h in fd.hunks if h.relevant]
    for key, fs in scopes.items():
        fs.pre_text = applied.pre.get(fs.pre_path) if fs.pre_path else None
        fs.post_text = applied.post.get(fs.post_path) if fs.post_path \
            else None
        fs.origins = applied.origins.get(fs.post_path, [])
        _touched(fs)
    return scopes


def _touched(fs):
    pre_all = csource.functions(fs.pre_text) if fs.pre_text else []
    post_all = csource.functions(fs.post_text) if fs.post_text else []
    names = set()
    for _m, hunk in fs.hunks:
        for line in hunk.lines:
            if line.kind == "-":
                f = line.old and csource.at(pre_all, line.old)
                if f:
                    fs.removed.setdefault(f.name, set()).add(
                        _norm(line.text))
            elif line.kind == "+":
                f = line.new and csource.at(post_all, line.new)
            else:
                continue
            if f:
                names.add(f.name)
    fs.pre_funcs = [f for f in pre_all if f.name in names]
    fs.post_funcs = [f for f in post_all if f.name in names]


def text_calls(text, names):
    """Line numbers of text that call one of the functions in names."""
    pats = [mapcalls.call_pattern(n) for n in names]
    code = strip_comments_and_strings(text)
    return [n for n, line in enumerate(code.split("\n"), 1)
            if any(p.search(line) for p in pats)]
