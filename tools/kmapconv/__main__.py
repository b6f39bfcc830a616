# SPDX-License-Identifier: GPL-2.0-only
"""Allow "python3 -m kmapconv" (how the Makefile runs it)."""

import sys

from .cli import main

sys.exit(main())
