"""What an ELF file says about its own source: the line table of the
program's compile units, the call-frame information (CFI) of every function,
and the symbol table (DWARF via pyelftools).

Only the program's *own* compile units map addresses to lines: a task that
blocks in `waitpid` is inside musl, and the line a student wants is the one in
their C file that called `waitpid`. A compile unit belongs to the C library
(and is skipped) when its file is not a C/C++ source or its path lies in a
libc tree; that is how zig's musl, compiler_rt and glibc's sysdeps name theirs.
"""

from __future__ import annotations

import bisect
import os
import posixpath
from functools import lru_cache
from typing import Any, Optional

from elftools.common.exceptions import ELFError
from elftools.dwarf.callframe import FDE
from elftools.elf.elffile import ELFFile

_SOURCE_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".C")
_LIBRARY_PARTS = ("/libc/", "/musl/", "/glibc", "sysdeps/", "compiler_rt", "compiler-rt")


def own_source(name: str) -> bool:
    """Is a compile unit called `name` part of the program rather than of its
    C library or compiler runtime?"""
    return name.endswith(_SOURCE_SUFFIXES) and not any(part in name for part in _LIBRARY_PARTS)


def _c_name(symbol: str) -> str:
    """The C name of a function symbol: Zig qualifies the C library functions
    it implements ("c.unistd._exit"), GCC suffixes clones ("f.part.0")."""
    if "." not in symbol:
        return symbol
    parts = symbol.split(".")
    return parts[-1] if parts[0] == "c" else parts[0]


class DebugInfo:
    """Source lines, CFI and symbols of one ELF file, loaded once."""

    def __init__(self, elf: ELFFile) -> None:
        self._lines_at: list[int] = []          # sorted row addresses
        self._lines: list[Optional[tuple[str, int]]] = []  # (file, line); None ends a sequence
        self._fde_at: list[int] = []
        self._fdes: list[tuple[int, FDE]] = []   # (end address, entry)
        self._rows: dict[int, tuple[list[int], list[dict]]] = {}  # decoded FDE tables
        self._sym_at: list[int] = []
        self._syms: list[tuple[int, str]] = []   # (end address, name)
        if elf.has_dwarf_info():
            dwarf = elf.get_dwarf_info()
            self._load_lines(dwarf)
            if dwarf.has_EH_CFI():
                self._load_fdes(dwarf.EH_CFI_entries())
            elif dwarf.has_CFI():
                self._load_fdes(dwarf.CFI_entries())
        self._load_symbols(elf)

    # ---- loading --------------------------------------------------------------

    def _load_lines(self, dwarf: Any) -> None:
        rows: list[tuple[int, Optional[tuple[str, int]]]] = []
        for cu in dwarf.iter_CUs():
            name = cu.get_top_DIE().attributes.get("DW_AT_name")
            if name is None or not own_source(name.value.decode(errors="replace")):
                continue
            program = dwarf.line_program_for_CU(cu)
            if program is None:
                continue
            files = program.header.file_entry
            # DWARF 5 numbers files from 0, earlier versions from 1
            base = 0 if program.header.version >= 5 else 1
            for entry in program.get_entries():
                state = entry.state
                if state is None:
                    continue
                if state.end_sequence:
                    rows.append((state.address, None))
                    continue
                index = state.file - base
                if 0 <= index < len(files) and state.line:
                    file = posixpath.basename(files[index].name.decode(errors="replace"))
                    rows.append((state.address, (file, state.line)))
        rows.sort(key=lambda row: row[0])
        self._lines_at = [address for address, _ in rows]
        self._lines = [where for _, where in rows]

    def _load_fdes(self, entries: Any) -> None:
        fdes = sorted(((e.header.initial_location, e) for e in entries if isinstance(e, FDE)),
                      key=lambda pair: pair[0])
        self._fde_at = [start for start, _ in fdes]
        self._fdes = [(start + e.header.address_range, e) for start, e in fdes]

    def _load_symbols(self, elf: ELFFile) -> None:
        symtab = elf.get_section_by_name(".symtab")
        if symtab is None:
            return
        funcs = sorted({(s["st_value"], s["st_size"], s.name) for s in symtab.iter_symbols()
                        if s["st_info"]["type"] == "STT_FUNC" and s["st_value"]})
        self._sym_at = [start for start, _, _ in funcs]
        self._syms = [(start + max(size, 1), _c_name(name)) for start, size, name in funcs]

    # ---- queries -------------------------------------------------------------------

    def source_line(self, pc: int) -> Optional[tuple[str, int]]:
        """(file, line) of `pc` when it lies in the program's own code."""
        i = bisect.bisect_right(self._lines_at, pc) - 1
        return self._lines[i] if i >= 0 else None

    def function(self, pc: int) -> str:
        """The name of the function holding `pc` ("" when unknown)."""
        i = bisect.bisect_right(self._sym_at, pc) - 1
        if i >= 0 and pc < self._syms[i][0]:
            return self._syms[i][1]
        return ""

    def frame_rule(self, pc: int) -> Optional[dict]:
        """The CFI row in force at `pc`: {"cfa": CFARule, regno: RegisterRule}."""
        i = bisect.bisect_right(self._fde_at, pc) - 1
        if i < 0 or pc >= self._fdes[i][0]:
            return None
        start = self._fde_at[i]
        decoded = self._rows.get(start)
        if decoded is None:
            table = self._fdes[i][1].get_decoded().table
            decoded = self._rows[start] = ([row["pc"] for row in table], table)
        at, table = decoded
        j = bisect.bisect_right(at, pc) - 1
        return table[j] if j >= 0 else None


@lru_cache(maxsize=16)
def _load(path: str, stamp: tuple[int, int]) -> Optional[DebugInfo]:
    try:
        with open(path, "rb") as f:
            return DebugInfo(ELFFile(f))
    except (OSError, ELFError, ValueError, KeyError, AttributeError):
        return None


def debug_info(path: str) -> Optional[DebugInfo]:
    """The debug information of the ELF file at `path` (cached while the file
    is unchanged), or None when it is not a readable ELF file."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return _load(path, (st.st_mtime_ns, st.st_size))
