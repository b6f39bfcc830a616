# SPDX-License-Identifier: GPL-2.0-only
"""The guest kernel's configuration: allnoconfig + vm/kernel.config +
the chosen filesystems (+ the overlay's tracking option when present).

The new .config is generated beside the old one and replaces it only if
it differs, so an unchanged configuration costs kbuild nothing.
"""

import os
import re

from . import kbuild
from .errors import VmTestError

BASE_FRAGMENT = os.path.join(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))), "kernel.config")

_SET = re.compile(r"^CONFIG_([A-Za-z0-9_]+)=(.*)$")
_UNSET = re.compile(r"^# CONFIG_([A-Za-z0-9_]+) is not set$")


def read_fragment(path):
    """{symbol: value} of a config file; "n" for "is not set" lines."""
    values = {}
    with open(path) as f:
        for line in f:
            m = _SET.match(line.strip())
            if m:
                values[m.group(1)] = m.group(2)
            m = _UNSET.match(line.strip())
            if m:
                values[m.group(1)] = "n"
    return values


_OPTIONAL = re.compile(r"^# optional\b")


def optional_symbols(path):
    """Symbols of a fragment whose line follows a "# optional ..." line:
    options only some kernel versions have, checked only where the
    resulting .config names them."""
    optional, after_marker = set(), False
    with open(path) as f:
        for line in f:
            m = _SET.match(line.strip())
            if m and after_marker:
                optional.add(m.group(1))
            after_marker = bool(_OPTIONAL.match(line.strip()))
    return optional


def _line(sym, value):
    if value == "n":
        return "# CONFIG_%s is not set\n" % sym
    return "CONFIG_%s=%s\n" % (sym, value)


def wanted(filesystems, extra=()):
    """Every option the guest needs, in the order they are written."""
    values = read_fragment(BASE_FRAGMENT)
    for fs in filesystems:
        for sym in fs.kconfig:
            values[sym] = "y"
    for sym in extra:
        values[sym] = "y"
    return values


def configure(src, build, values, jobs):
    """Write build/.config; returns (changed, the .config's options)."""
    os.makedirs(build, exist_ok=True)
    frag = os.path.join(build, "vmtest.fragment")
    with open(frag, "w") as f:
        f.write("".join(_line(*kv) for kv in values.items()))
    new = os.path.join(build, ".config.vmtest-new")
    proc = kbuild.make(src, build, ["allnoconfig"], jobs,
                       env={"KCONFIG_ALLCONFIG": frag,
                            "KCONFIG_CONFIG": ".config.vmtest-new"})
    if proc.returncode != 0:
        raise VmTestError("make allnoconfig failed: %s"
                          % kbuild.first_error(proc))
    got = read_fragment(new)
    optional = optional_symbols(BASE_FRAGMENT)
    for sym, value in values.items():
        if sym in optional and sym not in got:
            continue
        if got.get(sym, "n") != value:
            raise VmTestError("CONFIG_%s=%s did not survive allnoconfig "
                              "(a dependency is missing from "
                              "vm/kernel.config or vm/vmtest/filesystems.py)"
                              % (sym, value))
    old = os.path.join(build, ".config")
    changed = True
    if os.path.exists(old):
        with open(old) as a, open(new) as b:
            changed = a.read() != b.read()
    if changed:
        os.replace(new, old)
    else:
        os.unlink(new)
    return changed, got
