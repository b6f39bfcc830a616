# SPDX-License-Identifier: GPL-2.0-only
"""A small fake kernel tree and the combined patch for it, shared by
test_series.py and test_apply.py.

The patch is what the rewriting rules will produce: kmap_atomic() and
kmap() become kmap_local_page() with diffs made here, so the tests do
not depend on the state of the semantic patch.
"""

import difflib
import re

from kmapconv.findings import Findings

# The map/unmap pair of a function, in kernel style (checkpatch-clean).
FUNC = """\
static void {name}(struct page *page, const char *buf)
{{
\tchar *addr = {api}(page);

\tmemcpy(addr, buf, 16);
\t{unmap}(addr);
}}
"""

# file -> functions in it, and the API each maps with.
LAYOUT = {
    "fs/alpha/inode.c": [("alpha_write", "kmap_atomic")],
    "fs/alpha/sub/dir.c": [("alpha_dir_fill", "kmap_atomic"),
                           ("alpha_dir_copy", "kmap")],
    "fs/beta/super.c": [("beta_fill", "kmap")],
    "fs/top.c": [("top_fill", "kmap_atomic")],
    "drivers/gpu/drm/gamma/gamma_gem.c": [("gamma_clear", "kmap_atomic")],
    "drivers/gpu/drm/gamma/display/dc.c": [("gamma_dc", "kmap_atomic")],
    "drivers/md/delta.c": [("delta_copy", "kmap_atomic")],
    "mm/epsilon.c": [("eps_fill", "kmap_atomic")],
}
UNMAP = {"kmap": "kunmap", "kmap_atomic": "kunmap_atomic"}

# A directory with sites the series leaves alone (no patch for it).
UNTOUCHED = "fs/zeta/zeta.c"


def source(path, converted=False):
    parts = ["// SPDX-License-Identifier: GPL-2.0-only\n",
             "#include <linux/highmem.h>\n"]
    for name, api in LAYOUT[path]:
        parts.append("\n" + FUNC.format(
            name=name, api="kmap_local_page" if converted else api,
            unmap="kunmap_local" if converted else UNMAP[api]))
    return "".join(parts)


def make_tree(root):
    """Write the fake tree (before the conversion) under root."""
    for path in list(LAYOUT) + [UNTOUCHED]:
        text = source(path) if path in LAYOUT else "int zeta;\n"
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    (root / "Makefile").write_text("VERSION = 6\nPATCHLEVEL = 1\n")
    (root / "Kconfig").write_text("")
    return root


def combined_patch():
    """The -p1 unified diff of every file of LAYOUT, sorted by path."""
    out = []
    for path in sorted(LAYOUT):
        out.append("diff -u -p a/%s b/%s\n" % (path, path))
        out += difflib.unified_diff(
            source(path).splitlines(True),
            source(path, converted=True).splitlines(True),
            "a/" + path, "b/" + path)
    return "".join(out)


def _line_of(path, name):
    lines = source(path).splitlines()
    start = lines.index(next(l for l in lines if "%s(" % name in l))
    return next(n for n, l in enumerate(lines[start:], start + 1)
                if re.search(r"\bkmap(_atomic)?\(", l))


def sites():
    out = []
    for path in sorted(LAYOUT):
        for name, api in LAYOUT[path]:
            line = _line_of(path, name)
            out.append({
                "file": path, "line": line, "column": 15, "function": name,
                "api": api, "class": "thread-local", "action": "rewritten",
                "reasons": ["mapped and unmapped in %s() (unmap at line "
                            "%d); address used only locally"
                            % (name, line + 3)],
                "rewrite": ["%s() -> kunmap_local() at line %d"
                            % (UNMAP[api], line + 3)]})
    out.append({"file": UNTOUCHED, "line": 1, "column": 1,
                "function": "zeta", "api": "kmap", "class": "cross-thread",
                "action": "kept", "reasons": ["stored in a structure"]})
    out.append({"file": "fs/alpha/inode.c", "line": 99, "column": 1,
                "function": "alpha_other", "api": "kmap_atomic",
                "class": "nesting-sensitive", "action": "manual",
                "reasons": ["unmapped out of order"]})
    return out


def findings(patch=None, subsys="."):
    return Findings(
        ksrc_label="test", subsys=subsys, version="0.1.0",
        kernel_version="6.1.0", cocci_label="kmap_local.cocci",
        cocci_sha256="0" * 64, sites=sites(),
        patch=combined_patch() if patch is None else patch)
