# SPDX-License-Identifier: GPL-2.0-only
"""Where the spatch batches run: this machine, or other machines over ssh.

Both go through GNU parallel; with HOSTS it is parallel's own
--sshlogin machinery that spreads the batches, copies them there
(--transferfile), brings the results back (--return) and removes its
copies (--cleanup).  kmapconv adds no scheduler of its own.

A remote machine needs neither the kernel tree nor the checkout: each
batch becomes one self-contained tar file (bundle) holding its groups
file, the source files and headers the groups name (at their paths in
the tree) and every file the spatch command names by absolute path (the
semantic patch).  The job script unpacks it in parallel's per-job work
directory and runs the same spatch command there, so the results name
the same paths as a local run.  The remote needs bash, tar, rsync, perl
(parallel's remote wrapper) and the same coccinelle as this machine,
which check() verifies before any work.  ":" in HOSTS is this machine
(parallel's notation); its jobs read the bundle in place.
"""

import os
import sys
import tarfile

from . import cache, gnuparallel, progress, run
from .errors import KmapconvError

# Placeholder the job script replaces with the batch's path without
# ".tar" (its groups file there, and "<that>.json" for the records).
JOB = "@JOB@"
BUNDLE_DIR = ".kmapconv"
BUNDLE_GROUPS = BUNDLE_DIR + "/groups"
BUNDLE_RULES = BUNDLE_DIR + "/rules"

# $1 is the bundle as parallel names it ("<workdir>/./pass1/x.tar"):
# a remote host has it at the part after "/./", relative to parallel's
# work directory; this machine (":") at the full path.
JOB_SCRIPT = r'''
bundle=$1; shift
rel=${bundle#*/./}
if [ -f "$rel" ]; then src=$rel; else src=$bundle; fi
src=$(cd "$(dirname "$src")" && pwd)/$(basename "$src")
base=${src%.tar}
dir=$(mktemp -d "$base.XXXXXX") || exit 125
tar -xf "$src" -C "$dir" || { rm -rf "$dir"; exit 125; }
[ -e "$base" ] || mv "$dir/''' + BUNDLE_GROUPS + r'''" "$base"
args=()
for a in "$@"; do args+=("${a//@JOB@/$base}"); done
cd "$dir" && "${args[@]}"
rc=$?
cd / && rm -rf "$dir"
exit $rc
'''


class _Runner:
    show_progress = False
    names = ()

    def starting(self, candidates, cached, batches, jobs):
        """Say what is about to run (at a terminal only)."""
        if self.show_progress:
            print(progress.start_line(candidates, cached, batches, jobs,
                                      self.names),
                  file=sys.stderr, flush=True)


class Local(_Runner):
    """Jobs on this machine, in the kernel tree."""

    def __init__(self, show_progress=False):
        self.show_progress = show_progress

    @staticmethod
    def slots(jobs):
        return jobs

    def run(self, argv, groups, jobs, ksrc, workdir, on_done,
            time_limit=None):
        return gnuparallel.parallel(argv, groups, jobs, cwd=ksrc, workdir=workdir,
                            on_done=on_done,
                            options=progress.parallel_options(
                                self.show_progress)
                            + gnuparallel.time_limit_options(time_limit),
                            show_progress=self.show_progress)


def split_hosts(text):
    """HOSTS as a list of sshlogins: comma-separated, "\\," or ",," for a
    comma inside one (parallel's own rules)."""
    hosts, cur, i = [], "", 0
    text = text or ""
    while i < len(text):
        if text[i] == "\\" and text[i + 1:i + 2] == ",":
            cur, i = cur + ",", i + 2
        elif text[i] == "," and text[i + 1:i + 2] == ",":
            cur, i = cur + ",", i + 2
        elif text[i] == ",":
            hosts.append(cur.strip())
            cur, i = "", i + 1
        else:
            cur, i = cur + text[i], i + 1
    hosts.append(cur.strip())
    if not all(hosts):
        raise KmapconvError("HOSTS %r has an empty entry; give a "
                            "comma-separated list of ssh logins" % text)
    return hosts


def _escape(host):
    return host.replace(",", "\\,")


def _groups_files(groups_path):
    """The files a groups file names, as paths in the tree."""
    with open(groups_path) as f:
        names = [line.strip() for line in f if line.strip()]
    files = []
    for name in names:
        path = os.path.normpath(name)
        if path not in files:
            files.append(path)
    return files


def shipped(argv):
    """Absolute paths of files argv names (the semantic patch), in
    order, with where each goes inside a bundle.  A semantic patch
    brings the rule files beside it (its Python package, isomorphisms),
    at the same places relative to it: it imports them from there."""
    found = {}
    for n, arg in enumerate(a for a in dict.fromkeys(argv)
                            if os.path.isabs(a) and os.path.isfile(a)):
        place = "%s/%d" % (BUNDLE_RULES, n)
        found[arg] = "%s/%s" % (place, os.path.basename(arg))
        if arg.endswith(".cocci"):
            folder = os.path.dirname(arg)
            for path in cache.rule_files(arg):
                found.setdefault(path, "%s/%s" % (
                    place, os.path.relpath(path, folder)))
    return found


def remote_argv(argv, files):
    """argv with "{}" replaced by the job's path and shipped files by
    their place in the bundle (relative to where spatch runs)."""
    return [files.get(arg, arg.replace("{}", JOB)) for arg in argv]


def make_bundle(ksrc, groups_path, files, dest):
    """One batch as a tar file: sources, groups file, shipped files."""
    try:
        with tarfile.open(dest, "w", dereference=True) as tar:
            for rel in _groups_files(groups_path):
                tar.add(os.path.join(ksrc, rel), arcname=rel,
                        recursive=False)
            tar.add(groups_path, arcname=BUNDLE_GROUPS)
            for path, inside in files.items():
                tar.add(path, arcname=inside)
    except (OSError, tarfile.TarError) as e:
        raise KmapconvError("cannot pack %s for the remote hosts: %s"
                            % (groups_path, e))


class Ssh(_Runner):
    """Jobs spread over HOSTS by GNU parallel (--sshlogin)."""

    def __init__(self, hosts_text, show_progress=False):
        self.names = split_hosts(hosts_text)
        self.show_progress = show_progress

    def slots(self, jobs):
        # parallel runs -j jobs on each sshlogin.
        return jobs * len(self.names)

    def _login_options(self):
        return ["--sshlogin", ",".join(_escape(h) for h in self.names)]

    def check(self, local_version):
        """Every host answers and runs the same spatch as this one."""
        proc = gnuparallel.parallel_nonall(self._login_options(),
                                   ["spatch", "--version"])
        answers = {}
        for line in (proc.stdout + "\n" + proc.stderr).splitlines():
            host, sep, text = line.partition("\t")
            if sep and text.strip():
                answers.setdefault(host, []).append(text.strip())
        want = local_version.splitlines()[0].strip()
        versions = 0
        for host, texts in sorted(answers.items()):
            got = next((t for t in texts
                        if t.startswith("spatch version")), None)
            if got is None:
                raise KmapconvError("host %s: spatch --version failed "
                                    "there: %s" % (host, texts[0]))
            if got != want:
                raise KmapconvError("host %s runs %r, this machine %r; "
                                    "results would differ"
                                    % (host, got, want))
            versions += 1
        if versions < len(self.names):
            raise KmapconvError("only %d of the %d HOSTS answered: %s"
                                % (versions, len(self.names),
                                   run.first_line(proc.stderr)
                                   or "no message"))

    def run(self, argv, groups, jobs, ksrc, workdir, on_done,
            time_limit=None):
        files = shipped(argv)
        bundles = []
        for path in groups:
            bundle = path + ".tar"
            make_bundle(ksrc, path, files, bundle)
            # "/./": parallel puts the bundle at the part after it,
            # relative to its work directory on the remote.
            bundles.append(os.path.join(workdir, ".",
                                        os.path.relpath(bundle, workdir)))
        command = (["bash", "-c", JOB_SCRIPT, "kmapconv-job", "{}"]
                   + remote_argv(argv, files))
        options = (self._login_options()
                   + ["--workdir", "...", "--transferfile", "{}",
                      "--return", "{.}.json", "--cleanup"]
                   + progress.parallel_options(self.show_progress)
                   + gnuparallel.time_limit_options(time_limit))

        def done(index, job):
            job.arg = groups[index]       # where its .json came back to
            if on_done:
                on_done(index, job)

        jobs_done = gnuparallel.parallel(command, bundles, jobs, cwd=workdir,
                                 workdir=workdir, on_done=done,
                                 options=options,
                                 show_progress=self.show_progress)
        for job, path in zip(jobs_done, groups):
            job.arg = path
        return jobs_done
