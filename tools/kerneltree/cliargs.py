# SPDX-License-Identifier: GPL-2.0-only
"""Command-line pieces every command of the toolkit shares."""

import argparse
import os


def number(kind, minimum):
    """An argparse type: a kind (int, float) of at least minimum."""
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError("not a number: %r" % text)
        if value < minimum:
            raise argparse.ArgumentTypeError("must be at least %s"
                                             % minimum)
        return value
    return parse


positive = number(int, 1)


def default_jobs():
    # nproc's answer: the CPUs this process may run on, not all of them.
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1
