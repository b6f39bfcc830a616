# SPDX-License-Identifier: GPL-2.0-only
"""The vocabulary of the kernel's page-mapping API (map and unmap calls
and their pairs, copy helpers, folio forms, deferred-work calls).

It is defined once, in semantic-patches/kmap_local/mapapi.py beside the
semantic patch whose module needs it, so that the .cocci copied with its
module directory into a kernel tree keeps working on its own; this
module re-exports it for the rest of the toolkit.
"""

import importlib.util
import os

from . import checkout

_RELATIVE = os.path.join("semantic-patches", "kmap_local", "mapapi.py")


def _checkout_file():
    """The vocabulary of the checkout this package lives in, else of the
    cwd (an installed package run from a checkout)."""
    path = checkout.find(_RELATIVE)
    if path:
        return path
    raise ImportError("kerneltree.mapapi: %s not found beside the toolkit "
                      "nor in the current directory" % _RELATIVE)


def _load():
    spec = importlib.util.spec_from_file_location(
        "kmap_local_mapapi", _checkout_file())
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_vocabulary = _load()
__all__ = [name for name in vars(_vocabulary) if not name.startswith("_")
           and name not in ("re",)]
globals().update((name, getattr(_vocabulary, name)) for name in __all__)
SOURCE = _vocabulary.__file__
