"""The CPU's native helpers (native.c): instruction counting per translation
block and, when Python's headers are there, the syscall hook and the TLB fill
of present PTEs.

`native.c` is compiled once per machine with `zig cc -shared` from the ziglang
wheel (a dependency, so `pip install -e .` is all it needs) and cached by
content next to the compiled user programs; `load()` returns the library, or
None when it cannot be built (then the CPU counts with Unicorn's count=, as
before). PROCLAB_NATIVE=0 turns it off, to compare the two.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import subprocess
import sys
import sysconfig
from pathlib import Path
from typing import Optional

SOURCE = Path(__file__).with_name("native.c")
_CACHE_VERSION = "1"
_lib: Optional[ctypes.CDLL] = None
_tried = False


class PlState(ctypes.Structure):
    """struct pl_state of native.c (the block-count cache follows it)."""

    _fields_ = (
        ("counter", ctypes.c_uint64),
        ("budget", ctypes.c_uint64),
        ("block_pc", ctypes.c_uint64),
        ("block_base", ctypes.c_uint64),
        ("block_size", ctypes.c_uint32),
        ("block_n", ctypes.c_uint32),
        ("stopping", ctypes.c_uint32),
        ("tail", ctypes.c_uint32),
        ("tail_pc", ctypes.c_uint64),
        ("tail_end", ctypes.c_uint64),
        ("misses", ctypes.c_uint64),
        ("gen", ctypes.c_uint32),
        ("pad", ctypes.c_uint32),
        ("emu_stop", ctypes.c_void_p),
        ("ctl", ctypes.c_void_p),
        ("ctl_request_cache", ctypes.c_int64),
    )


def _cache_dir() -> Path:
    base = os.environ.get("PROCLAB_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "proclab")
    return Path(base) / "native"


def _build() -> Optional[Path]:
    from importlib.metadata import version

    source = SOURCE.read_bytes()
    key = hashlib.sha256(source + version("ziglang").encode() + _CACHE_VERSION.encode()).hexdigest()[:24]
    out = _cache_dir() / f"native-{key}.so"
    if out.exists():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(f".{os.getpid()}.tmp")
    cmd = [sys.executable, "-m", "ziglang", "cc", "-target", "x86_64-linux-gnu", "-shared", "-fPIC",
           "-O2", str(SOURCE), "-o", str(tmp)]
    include = sysconfig.get_paths().get("include")
    if include and (Path(include) / "Python.h").exists():
        # the syscall hook calls into Python directly; without the headers
        # only the block counter is built
        done = subprocess.run([*cmd, "-DPL_PYTHON", f"-I{include}"], capture_output=True)
        if done.returncode == 0 and tmp.exists():
            os.replace(tmp, out)
            return out
    done = subprocess.run(cmd, capture_output=True)
    if done.returncode != 0 or not tmp.exists():
        return None
    os.replace(tmp, out)
    return out


def load() -> Optional[ctypes.CDLL]:
    """The native library (built on first use), or None."""
    global _lib, _tried
    if _tried:
        return _lib
    _tried = True
    if os.environ.get("PROCLAB_NATIVE", "1") == "0":
        return None
    try:
        path = _build()
        if path is None:
            return None
        lib = ctypes.CDLL(str(path))
    except (OSError, subprocess.SubprocessError):
        return None
    if lib.pl_state_size() < ctypes.sizeof(PlState):  # pragma: no cover - a stale build
        return None
    lib.pl_flush.argtypes = (ctypes.c_void_p,)
    lib.pl_flush.restype = None
    lib.pl_stop.argtypes = (ctypes.c_void_p, ctypes.c_void_p)
    lib.pl_stop.restype = None
    lib.pl_state_size.restype = ctypes.c_uint64
    lib.pl_has_python.restype = ctypes.c_int
    _lib = lib
    return lib


class PlSys(ctypes.Structure):
    """struct pl_sys of native.c: what the native syscall hook needs."""

    _fields_ = (
        ("entry", ctypes.py_object),
        ("cpu", ctypes.c_void_p),
        ("read_batch", ctypes.c_void_p),
        ("reg_write", ctypes.c_void_p),
        ("ids", ctypes.c_int32 * 7),
        ("rax", ctypes.c_int32),
        ("calls", ctypes.c_uint64),
    )


class PlFill(ctypes.Structure):
    """struct pl_fill of native.c: the TLB fill's fast path and its fallback."""

    _fields_ = (
        ("slow", ctypes.py_object),
        ("cpu", ctypes.c_void_p),
        ("fast", ctypes.c_uint64),
        ("slowed", ctypes.c_uint64),
    )


def new_state(lib: ctypes.CDLL) -> tuple[PlState, object]:
    """A zeroed pl_state (with its cache) and the buffer that holds it."""
    buf = ctypes.create_string_buffer(int(lib.pl_state_size()))
    return PlState.from_buffer(buf), buf
