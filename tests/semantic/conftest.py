# SPDX-License-Identifier: GPL-2.0-only
"""The semantic patch's Python module (semantic-patches/kmap_local/) is
imported by its tests as spatch imports it: from the directory of the
.cocci file."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]
                       / "semantic-patches"))
