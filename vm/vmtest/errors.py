# SPDX-License-Identifier: GPL-2.0-only
"""The one exception vm-test turns into "vm-test: <problem>" and exit 2."""


class VmTestError(Exception):
    pass
