# SPDX-License-Identifier: GPL-2.0-only
"""Files of the semantic patch's Python module (semantic-patches/
kmap_local/) that the rest of the toolkit shares with it.

They live beside the semantic patch, so that the .cocci copied with its
module directory into a kernel tree keeps working on its own.  The
directory is imported as one package under a name of the toolkit's own,
so that its files import each other as they do under spatch; a file
loaded here brings the siblings it imports, which should be few.
"""

import importlib
import importlib.machinery
import importlib.util
import os
import sys

from . import checkout


# The package the module directory is imported as.
PACKAGE = "kerneltree_kmap_local"


def load(name):
    """semantic-patches/kmap_local/NAME.py of the checkout this package
    lives in, else of the cwd (an installed package run from a
    checkout), as a module."""
    relative = os.path.join("semantic-patches", "kmap_local", name + ".py")
    path = checkout.find(relative)
    if not path:
        raise ImportError("kerneltree: %s not found beside the toolkit nor "
                          "in the current directory" % relative)
    if PACKAGE not in sys.modules:
        package = importlib.util.module_from_spec(
            importlib.machinery.ModuleSpec(PACKAGE, None, is_package=True))
        package.__path__ = [os.path.dirname(path)]
        sys.modules[PACKAGE] = package
    return importlib.import_module(PACKAGE + "." + name)
