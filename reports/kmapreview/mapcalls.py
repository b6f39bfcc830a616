# SPDX-License-Identifier: GPL-2.0-only
"""Which lines of a patch make or drop a kernel mapping.

The mapping calls are the toolkit's vocabulary (kerneltree.mapapi: the
legacy kmap()/kmap_atomic() and their unmaps, the local-mapping API and
its memcpy / memzero / folio helpers).
"""

import re

from kerneltree.csource import strip_comments_and_strings
from kerneltree.mapapi import LEGACY_MAPS, LOCAL_CALLS, MAPPING_CALLS

LEGACY = frozenset(LEGACY_MAPS)
LOCAL = LOCAL_CALLS
ALL = MAPPING_CALLS

_CALL_RE = re.compile(r"(?<![\w.>])(%s)\s*\("
                      % "|".join(sorted(ALL, key=len, reverse=True)))


def calls(text):
    """The mapping calls named on one line of C (comments and string
    literals ignored)."""
    return [m.group(1) for m in
            _CALL_RE.finditer(strip_comments_and_strings(text))]


def is_local(name):
    return name in LOCAL


def mark_relevant(messages):
    """Set Hunk.relevant on every hunk that adds or removes a line with
    a mapping call; return how many are."""
    count = 0
    for m in messages:
        for fd in m.files:
            for hunk in fd.hunks:
                hunk.relevant = any(calls(l.text) for l in hunk.lines
                                    if l.kind != " ")
                count += hunk.relevant
    return count


def call_pattern(name):
    """A regex finding a call of function name."""
    return re.compile(r"(?<![\w.>])%s\s*\(" % re.escape(name))
