# SPDX-License-Identifier: GPL-2.0-only
"""kmapconv: drive the kmap()/kmap_atomic() -> kmap_local_page() conversion.

The semantic patch (semantic-patches/kmap_local.cocci) does the analysis;
this package finds candidate files, runs spatch on them in parallel,
checks that no call site went missing and writes the results.
"""

__version__ = "0.1.0"
