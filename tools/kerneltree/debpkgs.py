# SPDX-License-Identifier: GPL-2.0-only
"""The Debian packages the toolkit needs: one list, read by CI and by the
commands.

.ci/packages/<group> holds one package per line ("#" starts a comment),
optionally followed by a probe: a program (looked up on PATH) or an
absolute path that the package installs.  .ci/run installs the union of
every group's first words; a command checks the probes of the groups it
needs and, as root, installs what is missing, otherwise names the one
apt-get command to run.  A package without a probe is not checked by the
commands (CI installs it).
"""

import os
import shutil
import subprocess
from dataclasses import dataclass

from . import checkout

PACKAGES_DIR = os.path.join(checkout.ROOT, ".ci", "packages")


@dataclass(frozen=True)
class Package:
    name: str
    probe: str = ""

    def present(self):
        if not self.probe:
            return True
        if self.probe.startswith("/"):
            return os.path.exists(self.probe)
        return bool(shutil.which(self.probe))


def parse(text):
    """The Packages of a group file's text, in order."""
    packages = []
    for line in text.split("\n"):
        words = line.split("#", 1)[0].split()
        if words:
            packages.append(Package(words[0], words[1] if len(words) > 1
                                    else ""))
    return packages


def group(name, folder=PACKAGES_DIR):
    """The Packages of .ci/packages/NAME."""
    with open(os.path.join(folder, name)) as f:
        return parse(f.read())


def missing(packages):
    """Names of the packages whose probe is absent, each once, in order."""
    return list(dict.fromkeys(p.name for p in packages if not p.present()))


class MissingPackages(Exception):
    """Packages are missing and could not be installed here."""


def install(names):
    """apt-get update, then apt-get install -y NAMES (as root).  The
    output is not captured: installing takes a while and the user should
    see apt's progress and its own error messages."""
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for argv in (["apt-get", "update"],
                 ["apt-get", "install", "-y", "--no-install-recommends"]
                 + list(names)):
        try:
            proc = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL)
        except OSError as e:
            raise MissingPackages("cannot run apt-get: %s" % e.strerror)
        if proc.returncode != 0:
            raise MissingPackages("%s failed (exit %d)"
                                  % (" ".join(argv), proc.returncode))


def ensure(packages, missing_names=None):
    """Install the missing PACKAGES as root, or raise MissingPackages
    naming the one command to run.  missing_names() may replace
    missing(packages) when some need a check a probe cannot do."""
    check = missing_names or (lambda: missing(packages))
    names = check()
    if not names:
        return
    if os.geteuid() != 0:
        raise MissingPackages("missing Debian packages; run: sudo apt-get "
                              "install -y " + " ".join(names))
    install(names)
    still = check()
    if still:
        raise MissingPackages("still missing after apt-get install: "
                              + " ".join(still))
