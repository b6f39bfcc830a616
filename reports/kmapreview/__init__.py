# SPDX-License-Identifier: GPL-2.0-only
"""kmapreview: review a patch or pull request that touches kernel
mappings with the judgement of the kmap_local converter.

It imports the converter's driver (tools/kmapconv) for spatch runs, the
site schema and tree handling; run it with PYTHONPATH=tools:reports
(reports/review.mk does).
"""

__version__ = "0.1.0"
