"""C source -> static x86-64 musl executable, with `zig cc` from the ziglang
wheel, cached by content.

The cache key covers the source, the flags and the compiler version, so an
edited file is rebuilt and an unchanged one is not. The program's own headers
(`#include "..."`, anything outside the compiler's installation) are listed
with their hashes next to the binary, from the compiler's dependency output,
and an edited header rebuilds too. The first build on a machine is slow (zig
builds musl into its own cache, ~45 s); later ones take a fraction of a second.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Callable, Optional, Sequence

ZIG_TARGET = "x86_64-linux-musl"
DEFAULT_CFLAGS = ("-O1",)
CACHE_VERSION = "1"


class CompileError(Exception):
    """The compiler rejected the program; `diagnostics` is what it said."""

    def __init__(self, source: Path, diagnostics: str) -> None:
        super().__init__(f"{source}: compilation failed")
        self.source = source
        self.diagnostics = diagnostics


def cache_dir() -> Path:
    base = os.environ.get("PROCLAB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "proclab")
    return Path(base)


def zig_command() -> list[str]:
    return [sys.executable, "-m", "ziglang"]


def zig_version() -> str:
    from importlib.metadata import version

    return version("ziglang")


def compile_command(source: Path, output: Path, cflags: Sequence[str], depfile: Optional[Path] = None) -> list[str]:
    deps = ["-MD", "-MF", str(depfile)] if depfile is not None else []
    return [*zig_command(), "cc", "-target", ZIG_TARGET, "-static", *cflags, *deps, str(source), "-o", str(output)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _own_headers(depfile: Path, source: Path) -> list[Path]:
    """The files a make-style dependency list names, except the source and
    the compiler's own (libc) headers."""
    text = depfile.read_text().replace("\\\n", " ")
    _target, _, deps = text.partition(": ")
    spec = importlib.util.find_spec("ziglang")
    zig_dir = Path(spec.origin).resolve().parent if spec and spec.origin else None
    out = []
    for raw in re.split(r"(?<!\\)\s+", deps.strip()):
        if not raw:
            continue
        path = Path(raw.replace("\\ ", " ")).resolve()
        if path == source.resolve() or (zig_dir is not None and path.is_relative_to(zig_dir)):
            continue
        out.append(path)
    return out


def _manifest(binary: Path) -> Path:
    return binary.with_name(binary.name + ".headers")


def _headers_unchanged(binary: Path) -> bool:
    """Do the headers recorded for a cached binary still have their contents?"""
    manifest = _manifest(binary)
    if not manifest.exists():
        return False
    for line in manifest.read_text().splitlines():
        digest, _, name = line.partition(" ")
        path = Path(name)
        if not path.is_file() or _sha256(path) != digest:
            return False
    return True


def cached_binary(source: Path, cflags: Sequence[str] = DEFAULT_CFLAGS) -> Path:
    """Where the binary of `source` compiled with `cflags` lives in the cache."""
    digest = hashlib.sha256()
    for part in (CACHE_VERSION, zig_version(), ZIG_TARGET, "\0".join(cflags)):
        digest.update(part.encode() + b"\0")
    digest.update(source.read_bytes())
    return cache_dir() / digest.hexdigest()[:24] / source.stem


def _with_zig_cache(env: Optional[dict]) -> dict:
    """`env` (the caller's environment by default) with the zig global cache
    named: zig finds it from $HOME and refuses to compile without one
    ("AppDataDirUnavailable"), while the password database still knows the
    user's home. The directory is zig's own default, so nothing is rebuilt."""
    env = dict(os.environ if env is None else env)
    if "ZIG_GLOBAL_CACHE_DIR" not in env:
        base = env.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        env["ZIG_GLOBAL_CACHE_DIR"] = os.path.join(base, "zig")
    return env


def compile_c(source: Path, cflags: Sequence[str] = DEFAULT_CFLAGS, env: Optional[dict] = None,
              status: Optional[Callable[[str], object]] = None) -> Path:
    """The static executable built from `source` (from the cache when it is
    there; `status(text)` is told when the compiler has to run). Raises
    CompileError with the compiler's diagnostics."""
    output = cached_binary(source, cflags)
    if output.exists() and _headers_unchanged(output):
        return output
    if status is not None:
        status(f"compiling {source} (the first build on a machine takes about a minute)")
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + f".tmp{os.getpid()}")
    depfile = output.with_name(output.name + f".d{os.getpid()}")
    try:
        proc = subprocess.run(compile_command(source, tmp, cflags, depfile), capture_output=True, text=True,
                              env=_with_zig_cache(env))
        if proc.returncode != 0 or not tmp.exists():
            raise CompileError(source, (proc.stderr or proc.stdout).strip())
        headers = _own_headers(depfile, source)
        manifest = "".join(f"{_sha256(h)} {h}\n" for h in headers)
        tmp_manifest = depfile.with_name(depfile.name + ".headers")
        tmp_manifest.write_text(manifest)
        os.replace(tmp_manifest, _manifest(output))
        os.replace(tmp, output)
    finally:
        tmp.unlink(missing_ok=True)
        depfile.unlink(missing_ok=True)
    return output
