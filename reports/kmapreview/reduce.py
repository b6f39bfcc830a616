# SPDX-License-Identifier: GPL-2.0-only
"""What the classification needs of a pre-patch file.

The converter's verdict on a site depends on the function holding it
and on the functions that map or unmap (the other half of a pair split
over helpers); spatch spends most of its time on the rest.  A function
whose text names no mapping call is blanked, line for line, so every
line number stays what it is in the real file.  Only the classification
of the pre-patch sites runs on such a copy: the post-patch run also
produces the suggested diffs, whose context lines must be the real ones.
"""

from kerneltree import csource

from . import mapcalls


def for_classification(text):
    lines = text.split("\n")
    for func in csource.functions(text):
        body = "\n".join(lines[func.start - 1:func.end])
        if not mapcalls.calls(body):
            lines[func.start - 1:func.end] = [""] * (func.end - func.start
                                                      + 1)
    return "\n".join(lines)
