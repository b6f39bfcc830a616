# SPDX-License-Identifier: GPL-2.0-only
"""File contents the guest can check byte for byte without a copy.

The same function is in vm/guest/kmapwork.c: byte off of the file named
name is byte (off & 3), little-endian, of mix32(key ^ (off >> 2) *
0x9e3779b9) with key = mix32(FNV-1a(name)).  The host uses it to fill
the trees of read-only images.
"""

import struct

_MASK = 0xFFFFFFFF


def mix32(x):
    x ^= x >> 16
    x = (x * 0x7FEB352D) & _MASK
    x ^= x >> 15
    x = (x * 0x846CA68B) & _MASK
    x ^= x >> 16
    return x


def key_of(name):
    h = 2166136261
    for byte in name.encode():
        h = ((h ^ byte) * 16777619) & _MASK
    return mix32(h)


def generate(name, size):
    """The bytes of a file called name (relative to the image's root)."""
    key = key_of(name)
    words = (size + 3) // 4
    data = struct.pack("<%dI" % words,
                       *(mix32(key ^ ((w * 0x9E3779B9) & _MASK))
                         for w in range(words)))
    return data[:size]
