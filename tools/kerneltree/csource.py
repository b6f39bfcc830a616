# SPDX-License-Identifier: GPL-2.0-only
"""Lexical facts about kernel C source (comments, literals and
preprocessor lines blanked, where the function definitions are).

It is defined once, in semantic-patches/kmap_local/csource.py beside the
semantic patch whose module needs it too; this module re-exports it for
the rest of the toolkit.
"""

from . import coccimodule

_csource = coccimodule.load("csource")
__all__ = [name for name in vars(_csource) if not name.startswith("_")
           and name not in ("bisect", "re", "dataclass", "field")]
globals().update((name, getattr(_csource, name)) for name in __all__)
