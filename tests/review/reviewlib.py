# SPDX-License-Identifier: GPL-2.0-only
"""What the review tests share: running the command, and a small
synthetic kernel tree whose every line is known."""

import difflib
import os
import json
from pathlib import Path

from testlib import REPO, run_module


def run_review(*args, cwd=REPO):
    """python3 -m kmapreview ARGS, as make review runs it."""
    return run_module("kmapreview", *args, cwd=cwd)


def findings(out):
    """(severity, kind, file, line) of OUT/review.json, in report order."""
    review = json.loads((Path(out) / "review.json").read_text())
    return [(f["severity"], f["kind"], f["file"], f["line"])
            for f in review["findings"]]


def unified(path, old, new):
    return "".join(difflib.unified_diff(
        old.splitlines(True), new.splitlines(True), "a/" + path,
        "b/" + path))


# A file with one function per case.  Line numbers matter to the tests:
# zero_it maps at 9, copy_in at 20 (its _inatomic copy at 21), keep_it
# at 28, other() at 33, guarded() at 41 (its _inatomic copy at 42).
SOURCE = """\
#include <linux/highmem.h>

struct ctx {
\tvoid *addr;
};

static void zero_it(struct page *page)
{
\tchar *p = kmap_atomic(page);

\tp[0] = 0;
\tkunmap_atomic(p);
}

static int copy_in(struct page *page, const char __user *buf)
{
\tchar *p;
\tint left;

\tp = kmap_atomic(page);
\tleft = __copy_from_user_inatomic(p, buf, 16);
\tkunmap_atomic(p);
\treturn left;
}

static void keep_it(struct ctx *c, struct page *page)
{
\tc->addr = kmap(page);
}

static void other(struct page *page)
{
\tchar *p = kmap(page);

\tp[1] = 1;
\tkunmap(page);
}

static int guarded(struct page *page, const char __user *buf)
{
\tchar *p = kmap_atomic(page);
\tint left = __copy_from_user_inatomic(p, buf, 16);

\tkunmap_atomic(p);
\treturn left;
}

static void untouched(struct page *page)
{
\tchar *p = kmap_atomic(page);

\tp[2] = 2;
\tkunmap_atomic(p);
}
"""

PATH = "fs/x/a.c"


def edit(text, *pairs):
    for old, new in pairs:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# The conversions the tests combine.
ZERO_IT = ("\tchar *p = kmap_atomic(page);\n\n\tp[0] = 0;\n"
           "\tkunmap_atomic(p);",
           "\tchar *p = kmap_local_page(page);\n\n\tp[0] = 0;\n"
           "\tkunmap_local(p);")
COPY_IN = ("\tp = kmap_atomic(page);\n\tleft = __copy_from_user_inatomic"
           "(p, buf, 16);\n\tkunmap_atomic(p);",
           "\tp = kmap_local_page(page);\n\tleft = __copy_from_user_inatomic"
           "(p, buf, 16);\n\tkunmap_local(p);")
KEEP_IT = ("\tc->addr = kmap(page);", "\tc->addr = kmap_local_page(page);")
NEW_ATOMIC = ("\tp[1] = 1;\n", "\tp[1] = 1;\n\tp = kmap_atomic(page);\n"
              "\tkunmap_atomic(p);\n")
GUARDED = ("\tchar *p = kmap_atomic(page);\n\tint left = "
           "__copy_from_user_inatomic(p, buf, 16);\n\n\tkunmap_atomic(p);",
           "\tchar *p = kmap_local_page(page);\n\tint left;\n\n"
           "\tpagefault_disable();\n\tleft = __copy_from_user_inatomic"
           "(p, buf, 16);\n\tpagefault_enable();\n\tkunmap_local(p);")


def make_tree(root):
    """A tiny kernel tree (Makefile, Kconfig, fs/x/a.c) at root."""
    root = Path(root)
    (root / "fs" / "x").mkdir(parents=True)
    (root / "Makefile").write_text("VERSION = 6\nPATCHLEVEL = 1\n")
    (root / "Kconfig").write_text("")
    (root / PATH).write_text(SOURCE)
    return root


def snapshot(root):
    """Every file of a tree with its bytes and mtime."""
    out = {}
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            p = os.path.join(dirpath, name)
            st = os.lstat(p)
            with open(p, "rb") as f:
                out[os.path.relpath(p, root)] = (f.read(), st.st_mtime_ns)
    return out
