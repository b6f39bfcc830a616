# SPDX-License-Identifier: GPL-2.0-only
"""Command line: python3 -m kmapreview (--patch FILE | --base REV --head
REV) --ksrc TREE [--out DIR].

Exit 0: no error-level finding; 1: at least one; 2: bad input (the
patch does not apply -- the message names the hunk --, is not a patch,
no such tree or revision), printed as one line "kmapreview: ...".
"""

import argparse
import json
import sys

from kmapconv import deps, ksrc as kernel_tree
# The converter's own --jobs parsing and default (nproc).
from kerneltree.cliargs import default_jobs as _default_jobs
from kerneltree.cliargs import positive as _positive
from kmapconv.errors import KmapconvError
from kerneltree.linkfarm import FarmError

from . import __version__, outputs, review, verdict


def parser():
    p = argparse.ArgumentParser(
        prog="kmapreview",
        description="Review a patch or a commit range that touches kernel "
        "mappings (kmap/kmap_atomic -> kmap_local_page).")
    p.add_argument("--version", action="version",
                   version="kmapreview " + __version__)
    p.add_argument("--patch", help="a unified diff, git format-patch file "
                   "or mbox series that applies to KSRC")
    p.add_argument("--base", help="with --head: review BASE..HEAD of the "
                   "git tree KSRC")
    p.add_argument("--head", help="see --base")
    p.add_argument("--ksrc", required=True,
                   help="the kernel tree the patch applies to (only read)")
    p.add_argument("--out", default=outputs.DEFAULT_OUT,
                   help="output directory (default: %(default)s)")
    p.add_argument("--jobs", type=_positive, default=_default_jobs(),
                   help="parallel spatch processes (default: nproc)")
    p.add_argument("--reviewer", default="", metavar="'NAME <EMAIL>'",
                   help="for the Reviewed-by: line of a clean review")
    p.add_argument("--no-audit", action="store_true",
                   help="do not run the LIFO audit (the review says so)")
    p.add_argument("--no-cache", action="store_true",
                   help="analyse every file with spatch again instead of "
                   "reusing the converter's cached results")
    p.add_argument("--timings", metavar="FILE",
                   help="write the time of each part (JSON) to FILE")
    return p


def _request(args):
    if args.patch is not None and (args.base or args.head):
        raise KmapconvError("give either PATCH or BASE and HEAD, not both")
    if args.patch is None and not (args.base and args.head):
        raise KmapconvError("give PATCH=<file>, or BASE=<rev> and HEAD=<rev>")
    if args.patch == "":
        raise KmapconvError("PATCH is empty")
    return review.Request(ksrc=args.ksrc, patch=args.patch, base=args.base,
                          head=args.head, jobs=args.jobs,
                          reviewer=args.reviewer, audit=not args.no_audit,
                          cache=not args.no_cache)


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        req = _request(args)
        outputs.check(args.out, kernel_tree.validate_tree(args.ksrc))
        deps.ensure(need_tarball=False)
        outcome = review.run(req)
        outputs.write(args.out, outcome.review)
        if args.timings:
            with open(args.timings, "w") as f:
                json.dump(outcome.timings, f, indent=1, sort_keys=True)
                f.write("\n")
    except (KmapconvError, FarmError) as e:
        print("kmapreview: %s" % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("kmapreview: interrupted", file=sys.stderr)
        return 130
    print("kmapreview: %s -> %s" % (verdict.summary_line(outcome.review),
                                   args.out))
    return 1 if outcome.review.has_errors else 0
