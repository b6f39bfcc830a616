# SPDX-License-Identifier: GPL-2.0-only
"""Feeding the semantic patch's module facts as its SmPL rules would,
without spatch: positions are lists of locations (file, line, 0-based
column, the enclosing function), metavariables their C text."""

from dataclasses import dataclass

from kmap_local import hooks


@dataclass
class Location:
    file: str
    line: str           # spatch gives strings
    column: str
    current_element: str


class FakeCocci:
    """What scripts call on spatch's cocci object."""

    def __init__(self):
        self.dropped = 0

    def include_match(self, keep):
        self.dropped += not keep

    @staticmethod
    def make_ident(text):
        return ("ident", text)

    @staticmethod
    def make_expr(text):
        return ("expr", text)


class Function:
    """One C function written to a file, whose calls are found by their
    text: at("kunmap(page)") is the position of that call."""

    def __init__(self, tmp_path, name, body, file_name="f.c"):
        self.name = name
        self.path = str(tmp_path / file_name)
        self.lines = body.split("\n")
        with open(self.path, "w") as fh:
            fh.write(body)

    def at(self, text, nth=0):
        """The position of the nth occurrence of text."""
        seen = 0
        for i, line in enumerate(self.lines, 1):
            col = line.find(text)
            while col >= 0:
                if seen == nth:
                    return [Location(self.path, str(i), str(col), self.name)]
                seen += 1
                col = line.find(text, col + 1)
        raise AssertionError("%r not in the function" % text)


def new_session(deny=None):
    session = hooks.Session(cocci=FakeCocci(), deny=deny or {})
    session.start_group()
    return session


def decide(session):
    session.decide()
    return {(r["line"], r["api"]): r for r in session.out}
