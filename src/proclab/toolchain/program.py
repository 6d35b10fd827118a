"""What `proclab run PROG` accepts: a .c file (compiled) or a static x86-64
ELF executable. Anything else is refused with one clear sentence."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Optional, Sequence

from ..kernel.exec import parse_elf
from .compile import DEFAULT_CFLAGS, compile_c

STATIC_HINT = ("static binaries only for now; compile with -static, e.g. "
               "`python -m ziglang cc -target x86_64-linux-musl -static prog.c -o prog`, "
               "or give proclab the .c file")


class ProgramError(Exception):
    """The named program cannot be run; the message says why, in one line."""


def check_executable(path: Path) -> None:
    """Refuse what the simulated kernel could not exec, saying why."""
    if not path.exists():
        raise ProgramError(f"{path}: no such file")
    if path.is_dir():
        raise ProgramError(f"{path}: is a directory")
    try:
        with open(path, "rb") as f:
            def read(offset: int, count: int) -> bytes:
                f.seek(offset)
                return f.read(count)

            if read(0, 4) != b"\x7fELF":
                raise ProgramError(f"{path}: not an ELF executable (nor a .c file)")
            elf = parse_elf(read)
    except PermissionError:
        raise ProgramError(f"{path}: permission denied") from None
    if isinstance(elf, int):
        raise ProgramError(f"{path}: not an x86-64 Linux executable (an ELF of another kind or machine)")
    if elf.interp:
        raise ProgramError(f"{path}: dynamically linked: {STATIC_HINT}")
    if not os.access(path, os.X_OK):
        raise ProgramError(f"{path}: not executable (chmod +x it)")


def resolve_program(name: str, cflags: Sequence[str] = DEFAULT_CFLAGS,
                    status: Optional[Callable[[str], object]] = None) -> Path:
    """The executable to run for `name`: compiled from a .c file, or the file
    itself after checking it. `status(text)` is told about slow work."""
    path = Path(name)
    if path.suffix == ".c":
        if not path.exists():
            raise ProgramError(f"{path}: no such file")
        if status is not None:
            status(f"compiling {path} (the first build on a machine takes about a minute)")
        return compile_c(path, cflags)
    check_executable(path)
    return path
