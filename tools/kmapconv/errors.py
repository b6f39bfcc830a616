# SPDX-License-Identifier: GPL-2.0-only
"""The single error type that ends a run with one line on stderr."""


class KmapconvError(Exception):
    """A problem the user (or a bug) must fix; printed as one line.

    The CLI turns it into "kmapconv: <message>" on stderr and exit
    status 2, so every failure looks the same to scripts and to CI.
    """

    exit_status = 2

    def __init__(self, message):
        # One line, always: multi-line output from a tool is cut to its
        # first line by the caller before it gets here, but be safe.
        super().__init__(" ".join(str(message).split("\n")).strip())
