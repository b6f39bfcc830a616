# SPDX-License-Identifier: GPL-2.0-only
"""kbuild's configuration and its exact compiler command per object.

One prepared configuration per tree, architecture and configuration,
kept in the cache:

  <cache>/kbuild/<id>/<arch>-<config>/build       make O=... <config> prepare
  <cache>/kbuild/<id>/<arch>-<config>/prepared.json   the recipe it was made by
  <cache>/kbuild/<id>/<arch>-<config>/objflags.json   per-object commands

<id> names the tree (or the caller's key: a patched copy of a tree reuses
the original's configuration).  Preparing runs under flock, so parallel
callers prepare once.

The flags of an object are kbuild's own: the object is built with a
compiler wrapper that records its arguments and fails, so nothing is
compiled and nothing is written outside the build directory.  That is
the exact command (-DMODULE and KBUILD_MODNAME for module objects, the
directory's ccflags, CFLAGS_<obj>.o, the architecture's flags), which no
reading of Makefiles can promise.  A tree's compile_commands.json, when it
has one, is used instead.
"""

import dataclasses
import fcntl
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time


class KbuildError(Exception):
    """A configuration that cannot be prepared or queried: one line."""


# Kernel ARCH= for each architecture name the audit takes, and whether
# kbuild builds it with LLVM=1 (no cross gcc needed): those clang targets
# (scripts/Makefile.clang); arc, csky, sh, xtensa ... have none.  i386
# first: it is the configuration where kmap_local_page() really maps
# (HIGHMEM).
ARCHES = {
    "i386": ("i386", False),
    "x86_64": ("x86_64", False),
    "arm": ("arm", True),
    "arm64": ("arm64", True),
    "hexagon": ("hexagon", True),
    "loongarch": ("loongarch", True),
    "m68k": ("m68k", True),
    "mips": ("mips", True),
    "powerpc": ("powerpc", True),
    "riscv": ("riscv", True),
    "s390": ("s390", True),
    "sparc": ("sparc", True),
    "um": ("um", True),
}
# More of make's variables an architecture needs.  User-mode Linux is
# audited 32-bit (SUBARCH=i386), where its code maps with kmap_atomic();
# 6.12's scripts/Makefile.clang has no target for that SUBARCH, so the
# one clang needs is given on the command line.
MAKE_VARS = {
    "um": ("SUBARCH=i386", "CLANG_TARGET_FLAGS_i386=i386-linux-gnu"),
}
DEFAULT_ARCH = "i386"
CONFIGS = ("allmodconfig", "defconfig")

# Options a configuration must have to be worth auditing or building,
# forced with scripts/config when a tree's allmodconfig lacks them:
# HIGHMEM so kmap_local_page() really maps, the DEBUG_KMAP_LOCAL checks,
# and (for builds) warnings as errors.
REQUIRED = {
    "i386": ("HIGHMEM", "DEBUG_KMAP_LOCAL", "DEBUG_KMAP_LOCAL_FORCE_MAP",
             "WERROR"),
    "x86_64": ("WERROR",),
}
# Bump when the way configurations are prepared or objects queried
# changes, so existing caches are redone.
RECIPE = 2

CLANG = os.environ.get("KMAP_AUDIT_CLANG", "clang-14")
LLVM_SUFFIX = "-14"

# A configuration that cannot be prepared here (a missing package, an
# architecture clang has no target for) fails the same way on every run;
# User-mode Linux's takes 15 s to fail.  The failure is remembered until
# what it depends on changes: the installed packages (dpkg's database),
# PATH and the compiler asked for.
PACKAGE_DB = "/var/lib/dpkg/status"


def cache_dir():
    """$KMAPCONV_CACHE, else $XDG_CACHE_HOME/kmapconv, else ~/.cache/..."""
    if os.environ.get("KMAPCONV_CACHE"):
        return os.path.abspath(os.environ["KMAPCONV_CACHE"])
    base = (os.environ.get("XDG_CACHE_HOME")
            or os.path.join(os.path.expanduser("~"), ".cache"))
    return os.path.join(os.path.abspath(base), "kmapconv")


def _env():
    """The C locale, and none of a calling make's variables (an ARCH= or
    O= given to our own make would reach kbuild through MAKEFLAGS)."""
    env = dict(os.environ)
    for name in ("LC_ALL", "LANG", "LC_CTYPE", "LC_MESSAGES"):
        env[name] = "C"
    for name in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES",
                 "ARCH", "O", "CC", "LLVM", "KBUILD_OUTPUT"):
        env.pop(name, None)
    return env


def read_json(path):
    """The JSON in path, or None when it is missing or not JSON."""
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def write_json(path, obj):
    """Writes obj to path atomically (a reader sees old or new)."""
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "w") as f:
        json.dump(obj, f, sort_keys=True)
    os.replace(tmp, path)


def tree_id(tree, key=None):
    """The cache name of a tree: its path (or key) and its version."""
    h = hashlib.sha1(((key or tree) + "\n").encode("utf-8",
                                                   "surrogateescape"))
    try:
        with open(os.path.join(tree, "Makefile"), "rb") as f:
            h.update(b"".join(f.readlines()[:5]))
    except OSError:
        pass
    return h.hexdigest()[:16]


def make_args(tree, objdir, arch, jobs, cc=None):
    """make's command line for arch, with clang (LLVM=1 off x86)."""
    karch, llvm = ARCHES[arch]
    argv = ["make", "-s", "-C", tree, "O=" + objdir, "ARCH=" + karch,
            "HOSTCC=" + os.environ.get("HOSTCC", "gcc"), "-j%d" % jobs]
    argv += MAKE_VARS.get(arch, ())
    if llvm:
        argv.append("LLVM=" + LLVM_SUFFIX)
        if cc:
            argv.append("CC=" + cc)
    else:
        argv.append("CC=" + (cc or CLANG))
    return argv


def unset_options(config, symbols):
    """The symbols that are not =y in the .config file config."""
    try:
        with open(config) as f:
            on = {line.split("=", 1)[0] for line in f
                  if line.rstrip("\n").endswith("=y")}
    except OSError as e:
        raise KbuildError("cannot read %s: %s" % (config, e.strerror))
    return [s for s in symbols if "CONFIG_" + s not in on]


def _last_lines(text, n=3):
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for line in lines:
        if "error" in line.lower() or "***" in line:
            return line
    return " | ".join(lines[-n:]) or "no message"


@dataclasses.dataclass
class Build:
    """A prepared O= directory and what it was prepared from."""
    tree: str
    objdir: str
    arch: str
    config: str
    prepare_seconds: float = 0.0
    # Where the per-object flags are cached: beside the build directory
    # for the ones prepared here, in the cache for one the caller gave.
    cache_home: str = None

    @property
    def home(self):
        return self.cache_home or os.path.dirname(self.objdir)

    def prepared_from(self):
        """The source tree kbuild recorded (the 'source' link)."""
        try:
            return os.readlink(os.path.join(self.objdir, "source"))
        except OSError:
            return None


def _run_make(argv, log):
    with open(log, "a") as out:
        out.write("$ %s\n" % shlex.join(argv))
        out.flush()
        proc = subprocess.run(argv, stdout=out, stderr=subprocess.PIPE,
                              text=True, env=_env())
        out.write(proc.stderr)
    return proc


def config_exists(tree, arch, config):
    """Is config one kbuild makes for arch in tree: allmodconfig,
    defconfig, or a defconfig of the architecture's own (arch/<a>/configs/,
    e.g. a configuration without MMU)?"""
    if config in CONFIGS:
        return True
    return (config.endswith("_defconfig") and "/" not in config and
            os.path.isfile(os.path.join(tree, "arch", ARCHES[arch][0],
                                        "configs", config)))


def _toolchain():
    """What a failed prepare is remembered against, None if unknown."""
    try:
        st = os.stat(PACKAGE_DB)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, os.environ.get("PATH", ""), CLANG]


def _remembered_failure(path, recipe):
    """The error of the last prepare of recipe, if it failed with the
    toolchain there is now; None otherwise."""
    memo = read_json(path)
    toolchain = _toolchain()
    if (isinstance(memo, dict) and toolchain is not None
            and memo.get("recipe") == recipe
            and memo.get("toolchain") == toolchain):
        return memo.get("error")
    return None


def prepare(tree, arch=DEFAULT_ARCH, config="allmodconfig", key=None,
            jobs=None, cache=None, required=None):
    """The prepared configuration of tree for arch (made once, cached).

    required: options that must be on (default REQUIRED[arch] without
    WERROR, which matters only to builds).
    """
    if arch not in ARCHES:
        raise KbuildError("unknown architecture %s" % arch)
    if not config_exists(tree, arch, config):
        raise KbuildError("--config must be allmodconfig, defconfig or one "
                          "of arch/%s/configs/, not %s"
                          % (ARCHES[arch][0], config))
    tree = os.path.realpath(tree)
    jobs = jobs or os.cpu_count() or 1
    if required is None:
        required = tuple(s for s in REQUIRED.get(arch, ()) if s != "WERROR")
    home = os.path.join(cache or cache_dir(), "kbuild", tree_id(tree, key),
                        "%s-%s" % (arch, config))
    build = Build(tree, os.path.join(home, "build"), arch, config)
    recipe = {"recipe": RECIPE, "arch": arch, "config": config,
              "required": sorted(required), "tree": tree}
    stamp = os.path.join(home, "prepared.json")
    if read_json(stamp) == recipe:
        return build
    failed = os.path.join(home, "failed.json")
    os.makedirs(home, exist_ok=True)
    with open(os.path.join(home, ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if read_json(stamp) == recipe:
            return build
        error = _remembered_failure(failed, recipe)
        if error:
            # The same words as the failure itself: findings quote them,
            # and a finding is told apart from another by its words.
            print("kbuild: %s %s of %s failed to prepare on an earlier "
                  "run; not tried again until the installed packages "
                  "change (or %s is deleted)" % (arch, config, tree, failed),
                  file=sys.stderr, flush=True)
            raise KbuildError(error)
        try:
            _prepare_in(tree, build, home, arch, config, jobs, required)
        except KbuildError as e:
            write_json(failed, {"recipe": recipe, "toolchain": _toolchain(),
                                "error": str(e)})
            raise
        if os.path.exists(failed):
            os.unlink(failed)
        write_json(stamp, recipe)
    return build


def _prepare_in(tree, build, home, arch, config, jobs, required):
    """make O=build.objdir config, the required options, make prepare
    (the caller holds home's lock and writes prepared.json after)."""
    start = time.monotonic()
    print("kbuild: preparing %s %s of %s in %s (once)"
          % (arch, config, tree, build.objdir), file=sys.stderr,
          flush=True)
    for stale in (os.path.join(home, "prepared.json"),
                  os.path.join(home, "objflags.json")):
        if os.path.exists(stale):
            os.unlink(stale)
    shutil.rmtree(build.objdir, ignore_errors=True)
    os.makedirs(build.objdir)
    log = os.path.join(home, "prepare.log")
    if os.path.exists(log):
        os.unlink(log)
    argv = make_args(tree, build.objdir, arch, jobs)
    _make_or_fail(argv + [config], log, arch, config)
    dotconfig = os.path.join(build.objdir, ".config")
    missing = unset_options(dotconfig, required)
    if missing:
        cmd = ["bash", os.path.join(tree, "scripts", "config"),
               "--file", dotconfig]
        for symbol in missing:
            cmd += ["--enable", symbol]
        subprocess.run(cmd, check=False, capture_output=True)
        _make_or_fail(argv + ["olddefconfig"], log, arch, config)
        missing = unset_options(dotconfig, required)
        if missing:
            raise KbuildError("ARCH=%s %s cannot enable CONFIG_%s"
                              % (arch, config, missing[0]))
    _make_or_fail(argv + ["prepare"], log, arch, config)
    build.prepare_seconds = time.monotonic() - start
    with open(os.path.join(home, "prepare.seconds"), "w") as f:
        f.write("%.1f\n" % build.prepare_seconds)


def _make_or_fail(argv, log, arch, config):
    proc = _run_make(argv, log)
    if proc.returncode != 0:
        step = config if argv[-1] == config else config + " " + argv[-1]
        raise KbuildError("make ARCH=%s %s failed: %s (log: %s)"
                          % (arch, step, _last_lines(proc.stderr), log))


def use_existing(objdir, tree, arch):
    """A build directory the caller prepared (--build DIR)."""
    if not os.path.isfile(os.path.join(objdir, "kernel", ".bounds.s.cmd")):
        raise KbuildError("%s is not a prepared build directory (no "
                          "kernel/.bounds.s.cmd)" % objdir)
    objdir = os.path.realpath(objdir)
    home = os.path.join(cache_dir(), "kbuild", "given-" + hashlib.sha1(
        objdir.encode("utf-8", "surrogateescape")).hexdigest()[:16])
    os.makedirs(home, exist_ok=True)
    return Build(os.path.realpath(tree), objdir, arch, "given",
                 cache_home=home)


# The wrapper kbuild runs as its compiler: a compile of one of the wanted
# sources (listed in $KBUILD_RECORD/want) is recorded, one argument per
# line, and fails, so that nothing is compiled and make -k goes on; every
# other call (version checks, cc-option probes) runs the real compiler.
_WRAPPER = r"""#!/bin/sh
for a; do last=$a; done
case $last in
*.c)
	if [ -n "$KBUILD_RECORD" ] && grep -qxF -- "$last" "$KBUILD_RECORD/want"; then
		f=$(printf '%s' "$last" | cksum | cut -d' ' -f1)
		printf '%s\n' "$@" >"$KBUILD_RECORD/$f.args"
		exit 1
	fi ;;
esac
exec "$KBUILD_REAL_CC" "$@"
"""


def _makefiles(tree, path):
    """(directory, bytes) of the Makefile and Kbuild of path's directory
    and of every parent up to the tree's top, the closest first."""
    d = os.path.dirname(path)
    while True:
        for name in ("Makefile", "Kbuild"):
            try:
                with open(os.path.join(tree, d, name), "rb") as f:
                    yield d, f.read()
            except OSError:
                pass
        if not d:
            return
        d = os.path.dirname(d)


def _makefiles_digest(tree, path):
    """What an object's flags depend on besides the configuration: the
    Makefile/Kbuild of its directory and of every parent."""
    h = hashlib.sha1()
    for _d, text in _makefiles(tree, path):
        h.update(text)
    return h.hexdigest()[:16]


def named_by_makefiles(tree, path):
    """Whether a Makefile or Kbuild of path's directory or of a parent
    names its object (dir/x.o relative to that Makefile).  kbuild compiles
    any .c it is asked for, so having flags does not make a file an
    object of the build; a .c another one #includes is named by none."""
    obj = path[:-2] + ".o"
    for d, text in _makefiles(tree, path):
        rel = os.path.relpath(obj, d) if d else obj
        if re.search(r"(?<![\w/.-])%s(?![\w/.-])" % re.escape(rel),
                     text.decode(errors="replace")):
            return True
    return False


def _src_path(tree, path):
    return os.path.join(tree, path)


def object_flags(build, paths, jobs=None, tree=None):
    """kbuild's exact compiler arguments for each .c path (relative to
    the tree), without the compiler, -c, -o and the source.  A path kbuild
    would not compile (no rule, a file #included by another) maps to None.

    tree: the tree the paths are in, when it is a copy of build.tree
    (the recorded flags then name it instead).  Cached per object
    (KBUILD_FLAGS_CACHE=0 asks kbuild again, for benchmarks).
    """
    tree = os.path.realpath(tree or build.tree)
    jobs = jobs or os.cpu_count() or 1
    cache_path = os.path.join(build.home, "objflags.json")
    with open(os.path.join(build.home, ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cache = read_json(cache_path) or {}
        want = {}
        fresh = os.environ.get("KBUILD_FLAGS_CACHE") == "0"
        for p in paths:
            digest = _makefiles_digest(tree, p)
            hit = cache.get(p)
            if fresh or not hit or hit.get("makefiles") != digest:
                want[p] = digest
        if want:
            recorded = _record(build, sorted(want), jobs)
            for p, digest in want.items():
                cache[p] = {"makefiles": digest, "args": recorded.get(p)}
            write_json(cache_path, cache)
    out = {}
    for p in paths:
        args = cache[p]["args"]
        if args is not None and tree != build.tree:
            args = [a.replace(build.tree, tree) for a in args]
        out[p] = args
    return out


def _record(build, paths, jobs):
    """Runs make on the objects of paths with the recording wrapper."""
    with tempfile.TemporaryDirectory(prefix="kbuild-record-") as rec:
        wrapper = os.path.join(rec, "cc")
        with open(wrapper, "w") as f:
            f.write(_WRAPPER)
        os.chmod(wrapper, 0o755)
        srcs = {}
        for p in paths:
            srcs[_src_path(build.tree, p)] = p
            srcs[p] = p
        with open(os.path.join(rec, "want"), "w") as f:
            f.write("".join(s + "\n" for s in srcs))
        karch, llvm = ARCHES[build.arch]
        env = _env()
        env.update(KBUILD_RECORD=rec, KBUILD_REAL_CC=CLANG)
        argv = (make_args(build.tree, build.objdir, build.arch, jobs,
                          cc=wrapper)
                + ["-k", "-r"]
                + [p[:-2] + ".o" for p in paths])
        subprocess.run(argv, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, env=env)
        out = {}
        for name in os.listdir(rec):
            if not name.endswith(".args"):
                continue
            with open(os.path.join(rec, name)) as f:
                args = f.read().split("\n")[:-1]
            src = args[-1] if args else ""
            rel = srcs.get(src) or srcs.get(os.path.normpath(
                os.path.join(build.objdir, src)))
            # Only kbuild's own compile (not a make built-in rule).
            if rel and "-D__KERNEL__" in args:
                out[rel] = _strip_object(args[:-1])
        return out


def _strip_object(args):
    """The compile's flags without what names this one output."""
    out = []
    skip = False
    for a in args:
        if skip:
            skip = False
            continue
        if a in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
            continue
        if a in ("-c", "-S") or a.startswith("-Wp,-MMD") or \
                a.startswith("-Wp,-MD"):
            continue
        out.append(a)
    return out


def absolute_flags(build, args):
    """Relative include paths in args are relative to the build
    directory (where kbuild runs the compiler): make them absolute."""
    out = []
    take_path = False
    for a in args:
        if take_path:
            out.append(a if os.path.isabs(a)
                       else os.path.normpath(os.path.join(build.objdir, a)))
            take_path = False
            continue
        if a in ("-include", "-I", "-isystem", "-iquote", "-imacros"):
            out.append(a)
            take_path = True
            continue
        for opt in ("-I", "-isystem", "-iquote"):
            if a.startswith(opt) and len(a) > len(opt) and \
                    not os.path.isabs(a[len(opt):]):
                a = opt + os.path.normpath(os.path.join(build.objdir,
                                                        a[len(opt):]))
                break
        out.append(a)
    return out


def compdb_flags(tree, paths):
    """Flags from tree/compile_commands.json for each path (None when
    it has no entry)."""
    try:
        with open(os.path.join(tree, "compile_commands.json")) as f:
            entries = json.load(f)
    except (OSError, ValueError) as e:
        raise KbuildError("cannot read %s/compile_commands.json: %s"
                          % (tree, e))
    by_file = {}
    for e in entries:
        f = e.get("file", "")
        d = e.get("directory", tree)
        full = os.path.normpath(os.path.join(d, f))
        args = e.get("arguments") or shlex.split(e.get("command", ""))
        by_file[full] = (d, args)
    out = {}
    for p in paths:
        hit = by_file.get(os.path.normpath(os.path.join(tree, p)))
        if not hit:
            out[p] = None
            continue
        d, args = hit
        args = [a for a in args[1:] if os.path.normpath(
            os.path.join(d, a)) != os.path.normpath(os.path.join(tree, p))]
        out[p] = absolute_flags(Build(tree, d, "", ""),
                                _strip_object(args))
    return out


def _generic_flags(build):
    """The flags kbuild used for kernel/bounds.c, without what belongs
    to that one object: the configuration's flags for any object."""
    cmdfile = os.path.join(build.objdir, "kernel", ".bounds.s.cmd")
    try:
        with open(cmdfile) as f:
            text = f.read()
    except OSError:
        raise KbuildError("%s is not a prepared build directory (no "
                          "kernel/.bounds.s.cmd)" % build.objdir)
    m = re.search(r"^(?:saved)?cmd_kernel/bounds\.s := (.*)$", text, re.M)
    if not m:
        raise KbuildError("cannot read the compiler flags from %s" % cmdfile)
    out = []
    for a in _strip_object(shlex.split(m.group(1))[1:]):
        if a.startswith(("-DKBUILD_", "-D__KBUILD_MODNAME", "-Werror")) \
                or a == "-fverbose-asm" or a.endswith("bounds.c"):
            continue
        out.append(a)
    return absolute_flags(build, out)


_CCFLAGS = re.compile(r"^\s*(subdir-ccflags-y|ccflags-y|ccflags-\$\([A-Z0-9_]*"
                      r"\)|EXTRA_CFLAGS|CFLAGS_%s\.o)\s*[:+]?=(.*)$")


def approximate_flags(build, path, tree=None):
    """Flags for an object kbuild did not compile for us: the generic
    flags and what the directory Makefiles add (ccflags-y and the like,
    with $(src), $(srctree), $(obj) resolved), and the module names."""
    tree = tree or build.tree
    d = os.path.dirname(path)
    base = os.path.basename(path)[:-2]
    flags = _generic_flags(build)
    prepared = build.prepared_from()
    if prepared and os.path.realpath(prepared) != tree:
        flags = [a.replace(prepared, tree) for a in flags]
    line_re = re.compile(_CCFLAGS.pattern % re.escape(base))
    cur = d
    while True:
        for name in ("Makefile", "Kbuild"):
            try:
                with open(os.path.join(tree, cur, name)) as f:
                    text = f.read().replace("\\\n", " ")
            except OSError:
                continue
            for line in text.splitlines():
                m = line_re.match(line)
                if not m:
                    continue
                value = re.sub(r"-I\s+", "-I", m.group(2))
                value = (value.replace("$(src)", os.path.join(tree, cur))
                         .replace("$(srctree)", tree)
                         .replace("$(obj)", os.path.join(build.objdir, cur)))
                for word in value.split():
                    if word.startswith(("-I", "-D")) and "$" not in word:
                        flags.append(word)
            break
        if not cur:
            break
        cur = os.path.dirname(cur)
    return flags + ["-I" + os.path.join(tree, d),
                    "-I" + os.path.join(build.objdir, d),
                    '-DKBUILD_MODFILE="%s"' % path[:-2],
                    '-DKBUILD_MODNAME="%s"' % base,
                    '-DKBUILD_BASENAME="%s"' % base,
                    "-D__KBUILD_MODNAME=kmod_%s" % base]
