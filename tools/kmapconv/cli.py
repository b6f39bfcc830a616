# SPDX-License-Identifier: GPL-2.0-only
"""Command line: kmapconv convert | eval | bench | verify | deps.

Every failure the user can act on ends the same way: one line
"kmapconv: <problem>" on stderr and exit status 2 (see errors.py).
"""

import argparse
import os
import sys
import time

from . import (__version__, bench, convert, dashboard, deps, evaluate,
               outdir, progress, report, settings, spatch)
from . import apply, batches, ksrc, series
from . import verify
from .errors import KmapconvError
from kerneltree import cliargs


_jobs = cliargs.positive
_size_mb = cliargs.number(float, 0)
_default_jobs = cliargs.default_jobs


def _common(p, subsys_required, subsys_default=None):
    p.add_argument("--subsys", required=subsys_required,
                   default=subsys_default,
                   help="directory relative to KSRC, '.' for the whole tree"
                   + ("" if subsys_required else
                      " (default: %s)" % subsys_default))
    p.add_argument("--ksrc", help="kernel tree, or a tarball unpacked once "
                   "into the cache (default: the newest Debian linux-source-X.Y; "
                   "eval: %s)" % ksrc.EVAL_BASE)
    p.add_argument("--out", help="output directory")
    p.add_argument("--jobs", type=_jobs, default=_default_jobs(),
                   help="parallel spatch processes (default: nproc)")
    p.add_argument("--timeout", type=_jobs, default=spatch.DEFAULT_TIMEOUT,
                   help="spatch timeout per file in seconds (default: "
                   "%(default)s)")
    p.add_argument("--cocci", help="advanced: semantic patch to run "
                   "instead of semantic-patches/kmap_local.cocci")


def _judge(p):
    """Whether kmap-audit judges the rewrite (auditgate.py)."""
    p.add_argument("--verify", action="store_true", default=None,
                   help="kmap-audit (analysis/) judges the rewrite: it "
                   "proves the paths the semantic patch could not follow "
                   "and demotes every function it newly flags; writes "
                   "OUT/audit.json.  The default when the audit can run "
                   "on KSRC; with --verify, one that cannot is an error")
    p.add_argument("--no-verify", dest="verify", action="store_false",
                   help="no audit: sites with paths the semantic patch "
                   "could not follow stay manual")


def _campaign(p):
    """Options that change how long a run takes, never its results."""
    p.add_argument("--no-cache", dest="use_cache", action="store_false",
                   help="analyse every file again; keep nothing")
    p.add_argument("--cache-dir", help="where per-file results and "
                   "get_maintainer.pl answers are kept (default: "
                   "$KMAPCONV_CACHE, else ~/.cache/kmapconv)")
    p.add_argument("--hosts", help="run the spatch batches on these ssh "
                   "logins (GNU parallel --sshlogin syntax, comma-"
                   "separated; ':' is this machine); --jobs is per host")
    p.add_argument("--batch-slack", type=cliargs.number(int, 0),
                   default=batches.DEFAULT_BATCH_SLACK, metavar="SECONDS",
                   help="a spatch batch running longer than --timeout plus "
                   "this per file (and two more) is killed and its files "
                   "run alone; spatch's own timeout misses some of the "
                   "semantic patch's Python (default: %(default)s, 0: no "
                   "limit)")
    p.add_argument("--min-batch-kb", type=cliargs.number(int, 0),
                   default=batches.MIN_BATCH_BYTES // 1024, metavar="KB",
                   help="give a spatch process no less code than this on "
                   "average: on a small run fewer processes cost less CPU "
                   "(default: %(default)s, about one spatch start-up; 0: a "
                   "batch or two per job)")
    p.add_argument("--max-size", type=_size_mb,
                   default=settings.DEFAULT_MAX_MB, metavar="MB",
                   help="do not give spatch files bigger than this; they "
                   "are listed as not analysed (default: %(default)s, 0: "
                   "no limit)")


def _run_settings(args):
    return settings.RunSettings(
        use_cache=args.use_cache, cache_dir=args.cache_dir,
        hosts=args.hosts, show_progress=progress.wanted(),
        max_mb=args.max_size, batch_slack=args.batch_slack,
        min_batch_bytes=args.min_batch_kb * 1024)


def parser():
    p = argparse.ArgumentParser(
        prog="kmapconv",
        description="Find kmap()/kmap_atomic() sites and classify them for "
        "conversion to kmap_local_page().")
    p.add_argument("--version", action="version",
                   version="kmapconv " + __version__)
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("convert", help="analyse SUBSYS and write OUT "
                       "(default out/SUBSYS, out/all for '.')")
    _common(c, subsys_required=True)
    c.add_argument("--from", dest="author", metavar="'NAME <EMAIL>'",
                   help="author and Signed-off-by of OUT/series (default: "
                   "$%s, else git's user.name/user.email, else %s)"
                   % (series.AUTHOR_ENV, series.DEFAULT_AUTHOR))
    c.add_argument("--apply", action="store_true",
                   help="then apply OUT/series to KSRC: every patch or "
                   "none (needs --ksrc)")
    _judge(c)
    _campaign(c)

    e = sub.add_parser("eval", help="convert SUBSYS, then compare with "
                       "upstream's own conversions; writes OUT/eval.json "
                       "and OUT/eval.md")
    _common(e, subsys_required=True)
    e.add_argument("--upstream", help="upstream kernel tree or tarball "
                   "(default: the newest Debian linux-source-X.Y)")
    _judge(e)
    _campaign(e)

    b = sub.add_parser("bench", help="time convert against a bare spatch "
                       "search; writes OUT/bench.json")
    _common(b, subsys_required=False, subsys_default="fs")
    b.add_argument("--repeat", type=_jobs, default=2,
                   help="runs of each pipeline (default: %(default)s)")
    b.add_argument("--find-calls-cocci", help="advanced: bare search "
                   "instead of semantic-patches/find_calls.cocci")
    b.add_argument("--no-reruns", dest="reruns", action="store_false",
                   help="skip the cache (cold, warm, one edit) and 1 -> 2 "
                   "job measurements")

    v = sub.add_parser("verify", help="compile every .c file that "
                       "OUT/kmap-local.patch touches (allmodconfig); "
                       "writes OUT/verify.json and OUT/verify.md")
    v.add_argument("--subsys", required=True,
                   help="directory convert analysed (names the default OUT)")
    v.add_argument("--ksrc", help="kernel tree the patch is for (default: "
                   "the newest Debian linux-source-X.Y, unpacked once into "
                   "a cache)")
    v.add_argument("--out", help="convert's output directory")
    v.add_argument("--jobs", type=_jobs, default=_default_jobs(),
                   help="make -j (default: nproc)")
    v.add_argument("--arch", action="append", choices=verify.ARCHES,
                   help="build for this ARCH; repeatable (default: %s)"
                   % " and ".join(verify.ARCHES))

    h = sub.add_parser("dashboard", help="OUT/index.html: convert's results "
                       "per subsystem and directory, with maintainers "
                       "(needs make convert first)")
    _common(h, subsys_required=False, subsys_default=".")
    _campaign(h)
    h.add_argument("--compare", metavar="OUT_OR_TREE",
                   help="also show what is left in another campaign: its "
                   "convert output directory, or a kernel tree or tarball "
                   "(converted now, with the cache)")

    d = sub.add_parser("deps", help="check/install the Debian packages")
    d.add_argument("--tests", action="store_true",
                   help="also what the test suite needs")
    return p


def _convert(args):
    if args.apply and (args.ksrc is None or ksrc.is_tarball(args.ksrc)):
        # The default tree is kmapconv's cache: patching it would make
        # every later run analyse an already converted tree.
        raise KmapconvError("--apply (APPLY=1) needs --ksrc (KSRC=), the "
                            "tree to change; the default tree is a cache")
    target = convert.prepare(args.ksrc, args.subsys,
                             need_audit=args.verify)
    cocci = convert.check_cocci(args.cocci
                                or spatch.default_cocci(convert.COCCI))
    out = args.out or convert.default_out(target.subsys)
    start = time.monotonic()
    settings.use(_run_settings(args))
    findings = convert.convert(target, out, args.jobs, args.timeout, cocci,
                               author=args.author, verify=args.verify)
    seconds = time.monotonic() - start
    if settings.current().show_progress:
        # At a terminal; logs get the one line below, which says the same.
        print(progress.summary_block(findings, seconds), file=sys.stderr)
    if findings.hosts:
        print(progress.hosts_line(findings), file=sys.stderr)
    print("kmapconv: %s: %s; %d files analysed, %d from the cache; %.1f s; "
          "results in %s" % (target.subsys, report.summary(findings),
                             findings.analysed, findings.cached, seconds,
                             out))
    if args.apply:
        print("kmapconv: %s" % apply.apply_series(
            target.ksrc, os.path.join(out, series.DIRNAME)))
    return 0


def _eval(args):
    # Upstream's hand conversions since 6.1 are what eval compares with.
    target = convert.prepare(args.ksrc or ksrc.source_tarball(
        ksrc.EVAL_BASE), args.subsys, need_audit=args.verify)
    cocci = convert.check_cocci(args.cocci
                                or spatch.default_cocci(convert.COCCI))
    lister = convert.check_cocci(spatch.default_cocci(evaluate.LISTER))
    out = args.out or convert.default_out(target.subsys)
    # Every input is checked (and upstream unpacked) before convert
    # replaces anything in OUT.
    outdir.check(out, target.ksrc)
    upstream = evaluate.upstream_tree(
        args.upstream or ksrc.default_source()[1], target.subsys)
    settings.use(_run_settings(args))
    convert.convert(target, out, args.jobs, args.timeout, cocci,
                    verify=args.verify)
    result = evaluate.run_eval(target, upstream, out, args.jobs,
                               args.timeout, lister)
    print("kmapconv: %s; results in %s"
          % (evaluate.summary(result), os.path.join(out, "eval.md")))
    return 0


def _bench(args):
    target = convert.prepare(args.ksrc, args.subsys, need_audit=None)
    cocci = convert.check_cocci(args.cocci
                                or spatch.default_cocci(convert.COCCI))
    find = convert.check_cocci(args.find_calls_cocci
                               or spatch.default_cocci(bench.FIND_CALLS))
    # bench.json sits beside convert's files (publishing keeps it).
    out = args.out or convert.default_out(target.subsys)
    bench.bench(target, out, args.jobs, args.timeout, cocci, find,
                repeat=args.repeat, reruns=args.reruns)
    return 0


def _verify(args):
    deps.ensure(need_tarball=args.ksrc is None, need_build=True)
    target = convert.prepare(args.ksrc, args.subsys)
    out = args.out or convert.default_out(target.subsys)
    # Repeating an --arch builds it once.
    arches = list(dict.fromkeys(args.arch or verify.ARCHES))
    start = time.monotonic()
    result = verify.verify(target, out, arches, args.jobs)
    print("kmapconv: verify %s: %s; %.1f s; results in %s"
          % (target.subsys, verify.summary(result),
             time.monotonic() - start, os.path.join(out, "verify.md")))
    # 1, not 2: the inputs were fine, the patch is not.
    return 1 if result["broken"] else 0


def _dashboard(args):
    target = convert.prepare(args.ksrc, args.subsys)
    out = args.out or convert.default_out(target.subsys)
    outdir.check(out, target.ksrc)
    run_settings = _run_settings(args)
    settings.use(run_settings)
    other = None
    if args.compare:
        cocci = convert.check_cocci(args.cocci
                                    or spatch.default_cocci(convert.COCCI))
        other = dashboard.other_campaign(args.compare, target.subsys,
                                         args.jobs, args.timeout, cocci)
    campaign = dashboard.dashboard(
        target, out, run_settings.maintainer_answers(target.ksrc), other,
        args.jobs)
    print("kmapconv: dashboard of %d sites%s in %s"
          % (len(campaign.sites),
             " compared with %s" % other.label if other else "",
             os.path.join(out, dashboard.INDEX)))
    return 0


def _deps(args):
    deps.ensure(need_tarball=True, need_pytest=args.tests)
    return 0


def main(argv=None):
    args = parser().parse_args(argv)
    try:
        return {"convert": _convert, "eval": _eval, "bench": _bench,
                "verify": _verify, "dashboard": _dashboard,
                "deps": _deps}[args.command](args)
    except KmapconvError as e:
        print("kmapconv: %s" % e, file=sys.stderr)
        return e.exit_status
    except KeyboardInterrupt:
        print("kmapconv: interrupted", file=sys.stderr)
        return 130
