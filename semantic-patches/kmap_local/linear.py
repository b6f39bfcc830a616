# SPDX-License-Identifier: GPL-2.0-only
"""Functions that need an address in the linear map, found in C text.

kmap() of a lowmem page returns the page's address in the linear map; a
local mapping's address (HIGHMEM, and every page under
DEBUG_KMAP_LOCAL_FORCE_MAP) is a temporary one.  A function that turns
a parameter back into its page or physical address (virt_to_page(),
sg_set_buf(), dma_map_single()), or into a number for someone else to
translate (a hypervisor call's "linear address"), or puts it in a kvec
for a consumer that may do either, must not be given a local mapping's
address; one that reaches a page's contents with page_address() must
not be given a page that only a local mapping maps.  make convert scans
the directories of its candidates once and tells the semantic patch
(mapapi.LINEAR_ENV); run alone, the semantic patch scans a file's
directory itself.

Self-contained: the toolkit loads it on its own (kerneltree.coccimodule).
"""

import os
import re

# Calls that take a kernel address for its place in the linear map (its
# struct page, its physical address), and which argument it is.
LINEAR_ADDRESS_ARG = dict(
    [(f, 0) for f in ("virt_to_page", "virt_to_head_page", "virt_to_folio",
                      "virt_to_phys", "__pa", "virt_to_pfn",
                      "virt_addr_valid")] +
    [(f, 1) for f in ("sg_init_one", "sg_set_buf", "dma_map_single",
                      "dma_map_single_attrs")])
LINEAR_CALLS = tuple(sorted(LINEAR_ADDRESS_ARG))
# The integer type an address is kept as to be translated later (not
# unsigned long: that is also how an address is aligned or compared).
INTEGER_TYPES = r"uintptr_t"
# The field of a kvec: a kvec's consumer may turn its buffer back into
# pages (MSG_SPLICE_PAGES, iov_iter_extract_pages(), a scatterlist built
# for encryption), which a local mapping's address is not in.
KVEC_FIELD = "iov_base"
# How a function reaches a page's contents that only a kmap() mapping
# (registered for the page) serves: a local mapping of a highmem page is
# not, and page_address() of it is NULL.
PAGE_ADDRESS = "page_address"
# What shows a function's need: a file without it has none.
EVIDENCE_RE = re.compile(r"\b(?:%s)\s*\(|\(\s*%s\s*\)|\b%s\s*=|\b%s\s*\("
                         % ("|".join(LINEAR_CALLS), INTEGER_TYPES,
                            KVEC_FIELD, PAGE_ADDRESS))

_COMMENT_RE = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
# A function definition's head: its name at the start of a line or after
# the return type, its parameters, the opening brace.
_DEFINITION_RE = re.compile(
    r"^(?:[A-Za-z_][\w \t*]*?[ \t*])?([A-Za-z_]\w*)[ \t]*"
    r"\(([^;{}]*?)\)[\s]*(?:__\w+(?:\([^)]*\))?\s*)*\{", re.M)
SUFFIXES = (".c", ".h")


def brace_block(text, brace):
    """text from the brace at index brace to its closing one."""
    depth = 0
    for m in re.finditer(r"[{}]", text[brace:]):
        depth += 1 if m.group(0) == "{" else -1
        if depth == 0:
            return text[brace:brace + m.end()]
    return text[brace:]


def _parameters(decls):
    """The names of the pointer parameters ("" for the others)."""
    out = []
    for decl in decls.split(","):
        names = re.findall(r"[A-Za-z_]\w*", decl.split("[")[0])
        pointer = "*" in decl and "(" not in decl
        out.append(names[-1] if names and pointer else "")
    return out


def _word(param):
    # the parameter itself, not a member, an element or its address
    return r"(?<![&.>\w])%s\b(?!\s*(?:->|\.|\[))" % re.escape(param)


def needs_linear(body, param):
    """How body needs param in the linear map (the text that shows it),
    or None."""
    cast = re.search(r"\(\s*%s\s*\)\s*\(?\s*%s" % (INTEGER_TYPES,
                                                     _word(param)), body)
    if cast:
        return " ".join(cast.group(0).split())
    kvec = re.search(r"\b%s\s*=\s*(?:\([^()]*\)\s*)?\(?\s*%s[^,;}]*"
                     % (KVEC_FIELD, _word(param)), body)
    if kvec:
        return " ".join(kvec.group(0).split())
    page = re.search(r"\b%s\s*\(\s*%s\s*\)" % (PAGE_ADDRESS, _word(param)),
                     body)
    if page:
        return " ".join(page.group(0).split())
    for m in re.finditer(r"\b(%s)\s*\(([^;]*)\)\s*;" % "|".join(LINEAR_CALLS),
                         body):
        # the argument that is the address: the parameter, maybe cast,
        # maybe with an offset
        args = m.group(2).split(",")
        n = LINEAR_ADDRESS_ARG[m.group(1)]
        for arg in args[n:n + 1]:
            if re.match(r"\s*(?:\([^()]*\)\s*)?\(?\s*%s\s*(?:[-+][^,]*)?"
                        r"\)?\s*$" % _word(param), arg):
                return " ".join(m.group(0).split())
    return None


EVIDENCE_WORDS = LINEAR_CALLS + (INTEGER_TYPES, KVEC_FIELD, PAGE_ADDRESS)
# How far before the evidence a function's head is looked for.
HEAD_WINDOW = 30000


def linear_parameters(text):
    """{function: {parameter index: why}} of the functions text (C)
    defines that need a parameter in the linear map.  Only the
    functions around the evidence (EVIDENCE_RE) are read."""
    found = {}
    # (substring tests first: far cheaper than the pattern on every file)
    if not any(word in text for word in EVIDENCE_WORDS) or \
            not EVIDENCE_RE.search(text):
        return found
    text = _COMMENT_RE.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)),
                           text)
    done = set()
    for ev in EVIDENCE_RE.finditer(text):
        low = max(0, ev.start() - HEAD_WINDOW)
        low = text.rfind("\n", 0, low) + 1
        heads = [m for m in _DEFINITION_RE.finditer(text, low, ev.start())
                 if m.group(1) not in ("if", "for", "while", "switch",
                                       "return", "sizeof")]
        if not heads:
            continue
        m = heads[-1]
        if m.start() in done:
            continue
        done.add(m.start())
        body = brace_block(text, m.end() - 1)
        for n, param in enumerate(_parameters(m.group(2))):
            why = needs_linear(body, param) if param else None
            if why:
                found.setdefault(m.group(1), {})[n] = why
    return found


def c_texts(folder):
    """(name, text) of each C file and header in folder, in name order;
    the ones that cannot be read left out."""
    try:
        entries = sorted(os.listdir(folder))
    except OSError:
        return
    for entry in entries:
        if not entry.endswith(SUFFIXES):
            continue
        try:
            with open(os.path.join(folder, entry), errors="replace") as f:
                yield entry, f.read()
        except OSError:
            continue


def directory_linear(folder, names=None):
    """linear_parameters() of every C file and header in folder; names:
    only those functions (a file that does not name one is not read
    further)."""
    found = {}
    for _entry, text in c_texts(folder):
        if names is not None and not any(n in text for n in names):
            continue
        for fn, params in linear_parameters(text).items():
            if names is None or fn in names:
                found.setdefault(fn, {}).update(params)
    return found


# How a function needs its parameter (kind_of()): an address turned into
# its page or a number itself, or put in a kvec whose consumer may do
# that; a page whose contents it reaches with page_address().
LINEAR, KVEC, PAGE = "linear", "kvec", "page"
KINDS = (LINEAR, KVEC, PAGE)


def kind_of(why):
    """The kind of need the text needs_linear() found shows."""
    if why.startswith(KVEC_FIELD):
        return KVEC
    return PAGE if why.startswith(PAGE_ADDRESS) else LINEAR


def kinds(params):
    """{parameter index: kind} of directory_linear()'s {index: why}."""
    return {n: kind_of(why) for n, why in params.items()}


def env_value(per_dir):
    """LINEAR_ENV's value for {directory: directory_linear()}: entries
    DIR/FUNCTION:INDEX:KIND, comma-separated, sorted (the value is part
    of the command line the results cache is keyed on)."""
    return ",".join(sorted("%s/%s:%d:%s" % (d, fn, n, kind_of(why))
                           for d, fns in per_dir.items()
                           for fn, params in fns.items()
                           for n, why in params.items()))


def of_env(value):
    """{(directory, function): {parameter index: kind}} of a value."""
    out = {}
    for entry in filter(None, value.split(",")):
        where, _, kind = entry.rpartition(":")
        where, _, n = where.rpartition(":")
        folder, _, fn = where.rpartition("/")
        if n.isdigit() and kind in KINDS:
            out.setdefault((folder, fn), {})[int(n)] = kind
    return out
