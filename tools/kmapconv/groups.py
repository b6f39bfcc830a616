# SPDX-License-Identifier: GPL-2.0-only
"""What one spatch run is given: file groups.

Each file is its own group in the --file-groups list (spatch would
otherwise match a rule across all files of a group at once), joined by
the local headers it includes ("x.h" next to it): the semantic patch
looks there for the unmap helper that pairs with a map (e.g. a static
inline put_page-style helper).  A context header is listed as "./path"
so that its sites, which spatch reports under that spelling, can be told
apart and dropped: the header reports its own sites when it is a
candidate itself, from its own group.  Without that, a header that is
both a candidate and context in the same batch would be reported twice,
maybe differently, and results would depend on how the files happen to
be batched (i.e. on --jobs).
"""

from kerneltree import coccimodule

# The semantic patch's own definition: it checks that it saw them.
local_headers = coccimodule.load("includes").local_headers


# How a context header is spelled in a groups file (see above).
CONTEXT_PREFIX = "./"


def write_groups(path, groups):
    # One group per candidate (its file, then its context headers), one
    # file per line, groups separated by a blank line.
    with open(path, "w") as f:
        f.write("\n\n".join("\n".join(g) for g in groups) + "\n")
