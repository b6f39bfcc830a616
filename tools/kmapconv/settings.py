# SPDX-License-Identifier: GPL-2.0-only
"""How a convert run goes about its work (not what it analyses).

The cache, the machines the batches run on, the progress bar and the
size limit change how long a run takes, never its results; they travel
together from the command line to batches.run_files.
"""

from dataclasses import dataclass

from . import batches, cache, dispatch, maintainers, run

# Bigger files are not given to spatch: a generated file of many MB
# would only run into the timeout, twice (alone again after its batch).
DEFAULT_MAX_MB = 4.0


@dataclass
class RunSettings:
    use_cache: bool = True
    cache_dir: str = None       # results and answers; default ksrc.cache_dir()
    hosts: str = None           # sshlogins for GNU parallel, or None
    show_progress: bool = False
    max_mb: float = DEFAULT_MAX_MB
    batch_slack: int = batches.DEFAULT_BATCH_SLACK
    min_batch_bytes: int = batches.MIN_BATCH_BYTES

    @property
    def max_bytes(self):
        return int(self.max_mb * 1e6) if self.max_mb else None

    def runner(self):
        """Where the batches run (dispatch.Local or dispatch.Ssh); the
        hosts are checked first."""
        if not self.hosts:
            return dispatch.Local(self.show_progress)
        ssh = dispatch.Ssh(self.hosts, self.show_progress)
        ssh.check(run.spatch_version())
        return ssh

    def result_cache(self, argv, timeout):
        if not self.use_cache:
            return None
        return cache.ResultCache.for_command(argv, timeout, self.cache_dir)

    def maintainer_answers(self, ksrc):
        return maintainers.Answers(ksrc, self.cache_dir, self.use_cache)


# Cold runs, quietly, on this machine: what bench and tests compare.
UNCACHED = RunSettings(use_cache=False)

# The settings of this process's runs when a caller names none: the
# command line sets them once (use()), the defaults otherwise.
_current = RunSettings()


def use(run_settings):
    global _current
    _current = run_settings


def current():
    return _current
