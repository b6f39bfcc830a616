# SPDX-License-Identifier: GPL-2.0-only
"""Makes vm/vmtest importable from the vm tests."""

import os
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
if os.path.join(TOP, "vm") not in sys.path:
    sys.path.insert(0, os.path.join(TOP, "vm"))
