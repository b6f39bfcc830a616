# SPDX-License-Identifier: GPL-2.0-only
"""Run the converter (tools/kmapconv, "make convert") on each subsystem.

The converter is called through its command line, the interface the
rest of the project uses too; its outputs (OUT/kmap-local.patch,
OUT/sites.jsonl) go to the vm-test cache.
"""

import collections
import json
import os
import re
import subprocess

from kerneltree import checkout

from .errors import VmTestError
from .tree import private_copy

TOP = checkout.ROOT

Conversion = collections.namedtuple("Conversion", [
    "subsys", "patch", "sites", "rewritten", "summary"])


def run_convert(subsys, ksrc, out, jobs, python):
    """Convert one subsystem; a Conversion of its results."""
    env = dict(os.environ, PYTHONPATH=os.path.join(TOP, "tools"))
    cmd = [python, "-m", "kmapconv", "convert", "--subsys", subsys,
           "--ksrc", ksrc, "--out", out, "--jobs", str(jobs)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True,
                          cwd=TOP)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["exit %d"
                                                     % proc.returncode])
        raise VmTestError("convert of %s failed: %s" % (subsys, last[-1]))
    sites = read_sites(os.path.join(out, "sites.jsonl"))
    rewritten = [s for s in sites if s.get("action") == "rewritten"]
    summary = (proc.stdout.strip().splitlines() or [""])[-1]
    return Conversion(subsys, os.path.join(out, "kmap-local.patch"), sites,
                      rewritten, summary)


def read_sites(path):
    try:
        with open(path) as f:
            return [json.loads(line) for line in f if line.strip()]
    except (OSError, ValueError) as e:
        raise VmTestError("cannot read %s: %s" % (path, e))


_PLUS = re.compile(r"^\+\+\+ b/(\S+)", re.M)


def patched_paths(patch_file):
    """The files a -p1 unified diff writes."""
    with open(patch_file) as f:
        return sorted(set(_PLUS.findall(f.read())))


def apply_patch(patch_file, tree):
    """patch -p1 in tree (a hard-linked copy: the files it names are
    made private first); nothing to do for an empty patch."""
    if os.path.getsize(patch_file) == 0:
        return []
    paths = patched_paths(patch_file)
    for path in paths:
        private_copy(os.path.join(tree, path))
    proc = subprocess.run(["patch", "-p1", "-s", "-f", "-N",
                           "--no-backup-if-mismatch", "-i",
                           os.path.abspath(patch_file)], cwd=tree,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise VmTestError("%s does not apply: %s" % (
            patch_file, (proc.stdout + proc.stderr).strip().splitlines()[:1]))
    return paths
