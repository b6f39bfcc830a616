# SPDX-License-Identifier: GPL-2.0-only
"""Where the toolkit's checkout is: the semantic patches, analysis/, the
package lists and the overlay are files beside the Python packages."""

import os

# tools/kerneltree/ -> ../..
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))


def find(relative):
    """relative (a path inside a checkout) in this checkout, else in the
    current directory (an installed package run from a checkout); None
    when neither has it."""
    for base in (ROOT, os.getcwd()):
        path = os.path.join(base, relative)
        if os.path.isfile(path):
            return path
    return None
