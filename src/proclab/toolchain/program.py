"""What `proclab run PROG` accepts: a .c file (compiled), an x86-64 ELF
executable (static, or dynamic: the simulated kernel loads its interpreter
from the simulated filesystem), or a "#!" script; a bare name is looked up in
PATH like a shell does. Anything else is refused with one clear sentence."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Callable, Optional, Sequence

from ..kernel.exec import parse_elf
from .compile import DEFAULT_CFLAGS, compile_c

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
            size = os.fstat(f.fileno()).st_size

            def read(offset: int, count: int) -> bytes:
                """Up to `count` bytes at `offset`: none past the end (the
                offset may be any 64-bit number an ELF header holds)."""
                if offset >= size:
                    return b""
                f.seek(offset)
                return f.read(count)

            magic = read(0, 4)
            if magic[:2] == b"#!":
                elf = None
            elif magic != b"\x7fELF":
                raise ProgramError(f"{path}: not an executable (an ELF file, a #! script or a .c file)")
            else:
                elf = parse_elf(read)
    except PermissionError:
        raise ProgramError(f"{path}: permission denied") from None
    if isinstance(elf, int):
        raise ProgramError(f"{path}: not an x86-64 Linux executable (an ELF of another kind or machine)")
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
        return compile_c(path, cflags, status=status)
    if "/" not in name and not path.exists():
        found = shutil.which(name)
        if found is not None:
            path = Path(found)
    check_executable(path)
    return path
