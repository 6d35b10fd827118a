"""C source -> static x86-64 musl executable, with `zig cc` from the ziglang
wheel, cached by content.

The cache key covers the source, the flags and the compiler version, so an
edited file is rebuilt and an unchanged one is not. The first build on a
machine is slow (zig builds musl into its own cache, ~45 s); later ones take a
fraction of a second.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Optional, Sequence

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


def compile_command(source: Path, output: Path, cflags: Sequence[str]) -> list[str]:
    return [*zig_command(), "cc", "-target", ZIG_TARGET, "-static", *cflags, str(source), "-o", str(output)]


def cached_binary(source: Path, cflags: Sequence[str] = DEFAULT_CFLAGS) -> Path:
    """Where the binary of `source` compiled with `cflags` lives in the cache."""
    digest = hashlib.sha256()
    for part in (CACHE_VERSION, zig_version(), ZIG_TARGET, "\0".join(cflags)):
        digest.update(part.encode() + b"\0")
    digest.update(source.read_bytes())
    return cache_dir() / digest.hexdigest()[:24] / source.stem


def compile_c(source: Path, cflags: Sequence[str] = DEFAULT_CFLAGS, env: Optional[dict] = None) -> Path:
    """The static executable built from `source` (from the cache when it is
    there). Raises CompileError with the compiler's diagnostics."""
    output = cached_binary(source, cflags)
    if output.exists():
        return output
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(output.name + f".tmp{os.getpid()}")
    proc = subprocess.run(compile_command(source, tmp, cflags), capture_output=True, text=True, env=env)
    if proc.returncode != 0 or not tmp.exists():
        tmp.unlink(missing_ok=True)
        raise CompileError(source, (proc.stderr or proc.stdout).strip())
    os.replace(tmp, output)
    return output
