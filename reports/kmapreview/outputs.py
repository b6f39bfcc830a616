# SPDX-License-Identifier: GPL-2.0-only
"""OUT: the review's files, written all at once (kmapconv.outdir), into
a directory that holds nothing else of someone else's."""

import os

from kmapconv import outdir
from kmapconv.errors import KmapconvError

from . import model, render_mail, render_md, render_sarif

DEFAULT_OUT = os.path.join("out", "review")
FILES = ("report.md", "report.sarif", "review.txt", "review.json")


def check(out, ksrc_real):
    """Refuse an OUT inside KSRC or holding files the review did not
    write (before any work is done)."""
    real = os.path.realpath(out)
    if real == ksrc_real or real.startswith(ksrc_real.rstrip(os.sep)
                                            + os.sep):
        raise KmapconvError("OUT %s is inside KSRC %s; the review never "
                            "writes into the kernel tree" % (out, ksrc_real))
    if os.path.lexists(out):
        if not os.path.isdir(out):
            raise KmapconvError("OUT %s exists and is not a directory" % out)
        foreign = sorted(n for n in os.listdir(out) if n not in FILES)
        if foreign:
            raise KmapconvError("OUT %s holds files the review did not "
                                "write (%s); refusing to replace it"
                                % (out, foreign[0]))


def render(review):
    return {
        "report.md": render_md.render(review),
        "report.sarif": render_sarif.render(review),
        "review.txt": render_mail.render(review),
        "review.json": model.to_json(review),
    }


def write(out, review):
    outdir.publish(out, render(review))
