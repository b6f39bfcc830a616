# SPDX-License-Identifier: GPL-2.0-only
"""Progress on a terminal, quiet in CI and pipes, a summary at the end.

convert runs with its stderr on a pseudo-terminal, as at a shell: it
must show GNU parallel's bar and the summary block; with CI=true, or
with stderr a pipe, only the one-line summary on stdout.
"""

import os
import pty
import subprocess
import sys

from test_driver import REPO, TEST_COCCI, make_tree


def run_on_terminal(args, env):
    """Run with stdout a pipe and stderr a pseudo-terminal; returns
    (exit status, stdout, what the terminal showed)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(args, cwd=REPO, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=slave)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:         # EIO: the other end is closed
            break
        if not chunk:
            break
        shown += chunk
    out = proc.stdout.read().decode()
    proc.wait()
    os.close(master)
    return proc.returncode, out, shown.decode(errors="replace")


def test_terminal_gets_bar_and_summary_ci_does_not(tmp_path):
    tree = make_tree(tmp_path / "ksrc")
    cocci = tmp_path / "test.cocci"
    cocci.write_text(TEST_COCCI)
    env = dict(os.environ, PYTHONPATH=str(REPO / "tools"))
    env.pop("CI", None)

    def argv(name):
        return [sys.executable, "-m", "kmapconv", "convert", "--no-verify", "--ksrc",
                str(tree), "--subsys", ".", "--out", str(tmp_path / name),
                "--cocci", str(cocci), "--no-cache", "--jobs", "2"]

    status, out, shown = run_on_terminal(argv("tty"), env)
    assert status == 0, shown
    assert "kmapconv: 6 candidate files, 0 from the cache" in shown
    assert "100%" in shown                       # parallel's --bar
    for line in ("kmapconv: files:    6 scanned, 6 candidates (6 analysed "
                 "by spatch, 0 from the cache)",
                 "kmapconv: sites:    7 (thread-local 4, nesting-sensitive "
                 "2, cross-thread 1)",
                 "kmapconv: rewrites: 0 sites in 0 files; manual 6, kept 1",
                 "kmapconv: failures: 0 files spatch could not analyse, 1 "
                 "unmatched calls, 0 unreadable files",
                 "kmapconv: time:     "):
        assert line in shown, shown
    assert out.count("\n") == 1 and "7 sites" in out

    status, out, shown = run_on_terminal(argv("ci"), dict(env, CI="true"))
    assert status == 0, shown
    assert shown.strip() == ""
    assert out.count("\n") == 1 and "7 sites" in out

    proc = subprocess.run(argv("pipe"), cwd=REPO, env=env, text=True,
                          stdin=subprocess.DEVNULL, capture_output=True)
    assert proc.returncode == 0
    assert proc.stderr == ""
    assert proc.stdout.count("\n") == 1
