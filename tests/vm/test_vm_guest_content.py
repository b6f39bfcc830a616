# SPDX-License-Identifier: GPL-2.0-only
"""The guest program and the host agree on file contents and CRCs: the
guest checks read-only images the host wrote with content.py, and the
host may check what the guest wrote."""

import subprocess
import zlib

import pytest

from vmtest import content, initramfs


@pytest.fixture(scope="module")
def guest(tmp_path_factory):
    out = tmp_path_factory.mktemp("guest") / "kmapwork"
    return initramfs.build_init(str(out))


@pytest.mark.parametrize("name,size", [("f0", 0), ("f1", 1), ("f3", 4097),
                                       ("w0/x", 65539), ("long" * 9, 513)])
def test_generated_bytes_match(guest, name, size):
    got = subprocess.run([guest, "--gen", name, str(size)],
                         capture_output=True, check=True).stdout
    assert got == content.generate(name, size)


def test_names_give_different_content():
    assert content.generate("a", 64) != content.generate("b", 64)
    # position-determined: a prefix is the same file's start
    assert content.generate("a", 1000)[:100] == content.generate("a", 100)


def test_crc_is_zlib_crc32(guest):
    data = content.generate("crc", 200003)
    got = subprocess.run([guest, "--crc"], input=data, capture_output=True,
                         check=True).stdout.decode().strip()
    assert got == "%08x" % zlib.crc32(data)


def test_guest_usage_error(guest):
    proc = subprocess.run([guest, "--nope"], capture_output=True)
    assert proc.returncode == 2
    assert b"usage" in proc.stderr
