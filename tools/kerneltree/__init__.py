# SPDX-License-Identifier: GPL-2.0-only
"""Kernel-tree plumbing shared by every component of the toolkit.

One implementation of each job that more than one command needs: parsing
unified diffs, a patched view of a tree that never writes the tree, kbuild
configuration and per-object compiler flags, finding C functions, running
kmap-audit, and the vocabulary of the kernel's mapping API.  The converter
(kmapconv), the review (kmapreview) and the VM harness (vmtest) import from
here; none of them imports another's private names.
"""
