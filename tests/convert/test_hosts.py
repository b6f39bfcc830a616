# SPDX-License-Identifier: GPL-2.0-only
"""convert --hosts (make convert HOSTS=...) for real, over ssh.

A throw-away sshd on 127.0.0.1 (Debian's openssh-server, run as root
with its own host key, config and authorized_keys in a temporary
directory) plays two machines: the ssh aliases "h1" and "h2" both lead
to it.  GNU parallel spreads the batches over them with --sshlogin,
ships each one with --transferfile, brings the records back with
--return and removes its copies with --cleanup; the run must write the
same sites.jsonl, patch and report as a run on this machine.

The test skips, saying why, only when sshd cannot be started here
(not root, openssh-server missing); under CI=true that is a failure.
"""

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

from test_driver import REPO, make_tree
from testlib import cannot_run, run_module

SSHD = "/usr/sbin/sshd"
REAL_COCCI = REPO / "semantic-patches" / "kmap_local.cocci"
REWRITE = REPO / "tests" / "semantic" / "rewrite"

# Sources with rewrites (so the patch is not empty) and a .c file with a
# local header holding its unmap helper (context shipped in the bundle).
TREE = {
    "Makefile": "VERSION = 6\nPATCHLEVEL = 1\nSUBLEVEL = 0\n",
    "Kconfig": 'mainmenu "fake"\n',
    "drivers/foo/atomic.c": (REWRITE / "atomic.c").read_text(),
    "drivers/foo/kmap.c": (REWRITE / "kmap.c").read_text(),
    "fs/bar/helper.h": """\
static inline void bar_put_page(struct page *page)
{
	kunmap(page);
	put_page(page);
}
""",
    "fs/bar/dir.c": """\
#include "helper.h"

static int bar_read(struct page *page, char *buf)
{
	char *kaddr = kmap(page);

	buf[0] = kaddr[0];
	bar_put_page(page);
	return 0;
}

static void bar_zero(struct page *page)
{
	char *p = kmap_atomic(page);

	p[0] = 0;
	kunmap_atomic(p);
}
""",
}


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port, proc, seconds=15):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


@pytest.fixture(scope="module")
def sshd(tmp_path_factory):
    """A loopback sshd; yields the ssh_config naming its two "hosts"."""
    if not os.path.isfile(SSHD):
        cannot_run("%s missing: apt-get install openssh-server" % SSHD)
    if os.geteuid() != 0:
        cannot_run("starting sshd on 127.0.0.1 needs root")
    d = tmp_path_factory.mktemp("sshd")
    for key in ("host_key", "user_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "",
                        "-f", str(d / key)], check=True)
    shutil.copy(d / "user_key.pub", d / "authorized_keys")
    port = _free_port()
    (d / "sshd_config").write_text(
        "ListenAddress 127.0.0.1\n"
        "HostKey %s\n"
        "AuthorizedKeysFile %s\n"
        "PidFile %s\n"
        "PermitRootLogin prohibit-password\n"
        "PubkeyAuthentication yes\n"
        "PasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\n"
        "UsePAM no\n"
        # The keys live in a pytest temporary directory, not a home.
        "StrictModes no\n"
        "MaxStartups 50\n"
        "LogLevel INFO\n" % (d / "host_key", d / "authorized_keys",
                             d / "sshd.pid"))
    closed = _free_port()
    (d / "ssh_config").write_text(
        "Host h1 h2 down\n"
        "  HostName 127.0.0.1\n"
        "  User root\n"
        "  IdentityFile %s\n"
        "  IdentitiesOnly yes\n"
        "  StrictHostKeyChecking no\n"
        "  UserKnownHostsFile /dev/null\n"
        "  BatchMode yes\n"
        "  LogLevel ERROR\n"
        "Host h1 h2\n"
        "  Port %d\n"
        "Host down\n"
        "  Port %d\n" % (d / "user_key", port, closed))
    os.makedirs("/run/sshd", exist_ok=True)   # privilege separation dir
    log = open(d / "sshd.log", "w")
    proc = subprocess.Popen([SSHD, "-D", "-e", "-f", str(d / "sshd_config"),
                             "-p", str(port)], stdout=log,
                            stderr=subprocess.STDOUT)
    try:
        if not _listening(port, proc):
            cannot_run("sshd did not start: %s"
                    % (d / "sshd.log").read_text().strip()[:300])
        probe = subprocess.run(["ssh", "-F", str(d / "ssh_config"), "h1",
                                "true"], capture_output=True, text=True,
                               timeout=30)
        if probe.returncode != 0:
            cannot_run("ssh to the test sshd failed: %s"
                    % probe.stderr.strip()[:300])
        yield d
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


def kmapconv(env, *args):
    return run_module("kmapconv", *args, env=env)


@pytest.fixture
def env(sshd):
    return dict(os.environ,
                PARALLEL_SSH="ssh -F %s" % (sshd / "ssh_config"))


def outputs(out):
    return {name: (out / name).read_text()
            for name in ("sites.jsonl", "kmap-local.patch", "report.md")}


def parallel_tmp():
    path = Path.home() / ".parallel" / "tmp"
    return sorted(os.listdir(path)) if path.is_dir() else []


def test_two_hosts_give_the_local_result(sshd, env, tmp_path):
    tree = make_tree(tmp_path / "ksrc", TREE)
    local, remote = tmp_path / "local", tmp_path / "remote"
    # Small files: without --min-batch-kb 0 they would share one batch.
    common = ["--no-verify", "--ksrc", tree, "--subsys", ".", "--no-cache",
              "--jobs", 1, "--min-batch-kb", 0]
    proc = kmapconv(env, "convert", "--out", local, *common)
    assert proc.returncode == 0, proc.stderr
    before = parallel_tmp()

    proc = kmapconv(env, "convert", "--out", remote, "--hosts", "h1,h2",
                    *common)
    assert proc.returncode == 0, proc.stderr
    want = outputs(local)
    assert "kmap_local_page" in want["kmap-local.patch"]
    assert '"drivers/foo/atomic.c"' in want["sites.jsonl"]
    assert '"fs/bar/dir.c"' in want["sites.jsonl"]
    assert outputs(remote) == want
    assert sorted(os.listdir(remote / "series")) == sorted(
        os.listdir(local / "series"))

    # Both "machines" ran batches, over ssh, and left nothing behind.
    line = [l for l in proc.stderr.splitlines() if "jobs per host" in l]
    assert len(line) == 1, proc.stderr
    assert "h1 " in line[0] and "h2 " in line[0]
    log = (sshd / "sshd.log").read_text()
    assert log.count("Accepted publickey for root") >= 2
    assert parallel_tmp() == before


def test_host_that_does_not_answer(sshd, env, tmp_path):
    tree = make_tree(tmp_path / "ksrc", TREE)
    out = tmp_path / "out"
    proc = kmapconv(env, "convert", "--no-verify", "--ksrc", tree, "--subsys", ".",
                    "--out", out, "--hosts", "h1,down")
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("kmapconv: ")
    assert "host down: " in proc.stderr
    assert "Connection refused" in proc.stderr
    assert not out.exists()
