#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Seeds unmap-arg slips into copies of real kernel files, at test time.

For each FILE:SLIP given, finds in the tree's FILE the first place where
the slip can be made without changing anything else, writes the changed
file into the copy (replacing its hard link, so the tree is untouched) and
prints "FILE:LINE unmap-arg" for the line the audit must report.  Nothing
of the kernel is stored in the project: the sites are found by pattern.

Slips (the classic conversion mistakes, each a one-line change):
  kunmap_local   "v = kmap_local_page(p); ... kunmap_local(v);"
                 becomes kunmap_local(p)
  kunmap_atomic  "v = kmap_atomic(p); ... kunmap_atomic(v);"
                 becomes kunmap_atomic(p)
  kunmap         "v = kmap(p); ... kunmap(p);" becomes kunmap(v)
"""
import argparse
import os
import re
import sys

# map call, unmap call, and whether the unmap is given the page (kunmap)
SLIPS = {
    "kunmap_local": ("kmap_local_page", "kunmap_local", False),
    "kunmap_atomic": ("kmap_atomic", "kunmap_atomic", False),
    "kunmap": ("kmap", "kunmap", True),
}

# A plain access path: name, ->field, .field, [name] (no calls, no side
# effects), so that the same text names the same value further down.
PATH = r"[A-Za-z_]\w*(?:(?:->|\.)\w+|\[\w+\])*"
# Lines a site may not span: the end of the function, or a label.
STOP = re.compile(r"^(}|\w+:\s*$)")
WINDOW = 40


def written(line, path):
    """Does line assign to something path reads?"""
    for name in set(re.findall(r"[A-Za-z_]\w*", path)):
        if re.search(r"(?<![\w>.])%s\s*(=[^=]|\+\+|--|[-+|&]=)|(\+\+|--)%s\b"
                     % (re.escape(name), re.escape(name)), line):
            return True
    return False


def find_site(lines, slip):
    """Index of the line to change and its new text, or None."""
    mapper, unmapper, give_map = SLIPS[slip]
    assign = re.compile(r"(?<![\w>.])(?P<var>%s)\s*=\s*(\([^()]*\)\s*)?%s\("
                        r"\s*(?P<page>%s)\s*\)\s*;" % (PATH, mapper, PATH))
    for i, line in enumerate(lines):
        m = assign.search(line)
        if not m:
            continue
        var, page = m.group("var"), m.group("page")
        old = page if give_map else var
        new = var if give_map else page
        unmap = re.compile(r"^(\s*)%s\(\s*%s\s*\);\s*$"
                           % (unmapper, re.escape(old)))
        for j in range(i + 1, min(i + WINDOW, len(lines))):
            if STOP.match(lines[j]):
                break
            u = unmap.match(lines[j])
            if u:
                return j, "%s%s(%s);\n" % (u.group(1), unmapper, new)
            if written(lines[j], var) or written(lines[j], page) or \
                    re.search(r"\b%s\(" % mapper, lines[j]):
                break
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tree", required=True, help="the kernel tree")
    ap.add_argument("--copy", required=True,
                    help="hard-linked copy of the tree to seed")
    ap.add_argument("seeds", nargs="+", metavar="FILE:SLIP")
    args = ap.parse_args()
    seeded = {}  # file -> its lines, with the slips made so far
    for seed in args.seeds:
        path, _, slip = seed.rpartition(":")
        if slip not in SLIPS or not path:
            sys.stderr.write("seed_slips: bad seed %r (FILE:%s)\n"
                             % (seed, "|".join(sorted(SLIPS))))
            return 2
        try:
            if path not in seeded:
                with open(os.path.join(args.tree, path)) as f:
                    seeded[path] = f.readlines()
        except OSError as e:
            sys.stderr.write("seed_slips: cannot read %s: %s\n"
                             % (path, e.strerror))
            return 2
        lines = seeded[path]
        site = find_site(lines, slip)
        if site is None:
            sys.stderr.write("seed_slips: no place for a %s slip in %s\n"
                             % (slip, path))
            return 2
        j, text = site
        lines[j] = text
        target = os.path.join(args.copy, path)
        tmp = target + ".seed"
        with open(tmp, "w") as f:
            f.writelines(lines)
        os.replace(tmp, target)
        print("%s:%d unmap-arg" % (path, j + 1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
