# SPDX-License-Identifier: GPL-2.0-only
"""Every call of the kernel's make, with ccache and at low priority.

ccache keeps its objects in <cache>/vm/ccache, so even a fresh build
directory (a new KSRC) rebuilds from the cache.
"""

import os
import shutil
import subprocess

from .errors import VmTestError

ARCH = "i386"


def ccache_dir(cache):
    return os.path.join(cache, "vm", "ccache")


def _cc():
    if not shutil.which("ccache"):
        raise VmTestError("ccache is missing (Debian package ccache)")
    return "ccache gcc"


def make(src, build, targets, jobs, env=None, log=None, cache=None):
    """Run make -C src O=build ARCH=i386 targets; stdout/stderr go to the
    file log if given (a build log is long), else are captured."""
    full_env = dict(os.environ, **(env or {}))
    if cache:
        full_env["CCACHE_DIR"] = ccache_dir(cache)
        # the same sources in another directory still hit the cache
        full_env["CCACHE_BASEDIR"] = src
        full_env.setdefault("CCACHE_MAXSIZE", "4G")
    cmd = ["nice", "-n", "19", "make", "-C", src, "O=" + build, "ARCH=" + ARCH,
           "CC=" + _cc(), "-j%d" % jobs] + list(targets)
    if log:
        with open(log, "w") as f:
            proc = subprocess.run(cmd, env=full_env, stdout=f,
                                  stderr=subprocess.STDOUT, text=True)
        with open(log, errors="replace") as f:
            proc.stdout = f.read()
        proc.stderr = ""
        return proc
    return subprocess.run(cmd, env=full_env, capture_output=True, text=True)


def first_error(proc):
    """The line that best says why make failed."""
    lines = [l.strip() for l in (proc.stdout + "\n" + proc.stderr)
             .splitlines() if l.strip()]
    for line in lines:
        if "error" in line.lower() or "***" in line:
            return line
    return lines[-1] if lines else "exit %d" % proc.returncode


def ccache_stats(cache):
    """'hits/misses' of the ccache directory, for the summary."""
    proc = subprocess.run(["ccache", "--print-stats"], capture_output=True,
                          text=True,
                          env=dict(os.environ, CCACHE_DIR=ccache_dir(cache)))
    stats = {}
    for line in proc.stdout.splitlines():
        key, _, value = line.partition("\t")
        if value.strip().isdigit():
            stats[key] = int(value)
    return stats


def zero_stats(cache):
    subprocess.run(["ccache", "--zero-stats"], capture_output=True,
                   env=dict(os.environ, CCACHE_DIR=ccache_dir(cache)))
