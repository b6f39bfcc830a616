# SPDX-License-Identifier: GPL-2.0-only
"""Files of the semantic patch's Python module (semantic-patches/
kmap_local/) that the rest of the toolkit shares with it.

They live beside the semantic patch, so that the .cocci copied with its
module directory into a kernel tree keeps working on its own; a file
loaded here must not import its siblings.
"""

import importlib.util
import os

from . import checkout


def load(name):
    """semantic-patches/kmap_local/NAME.py of the checkout this package
    lives in, else of the cwd (an installed package run from a
    checkout), as a module."""
    relative = os.path.join("semantic-patches", "kmap_local", name + ".py")
    path = checkout.find(relative)
    if not path:
        raise ImportError("kerneltree: %s not found beside the toolkit nor "
                          "in the current directory" % relative)
    spec = importlib.util.spec_from_file_location("kmap_local_" + name,
                                                  path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
