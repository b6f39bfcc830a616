# SPDX-License-Identifier: GPL-2.0-only
"""The vocabulary of the kernel's page-mapping API (map and unmap calls
and their pairs, copy helpers, folio forms, deferred-work calls).

It is defined once, in semantic-patches/kmap_local/mapapi.py beside the
semantic patch whose module needs it, so that the .cocci copied with its
module directory into a kernel tree keeps working on its own; this
module re-exports it for the rest of the toolkit.
"""

from . import coccimodule

_vocabulary = coccimodule.load("mapapi")
__all__ = [name for name in vars(_vocabulary) if not name.startswith("_")
           and name not in ("os", "re")]
globals().update((name, getattr(_vocabulary, name)) for name in __all__)
SOURCE = _vocabulary.__file__
