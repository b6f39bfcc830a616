# SPDX-License-Identifier: GPL-2.0-only
"""Allow "python3 -m kmapreview" (how reports/review.mk runs it)."""

import sys

from .cli import main

sys.exit(main())
