"""C to static ELF: the cache rebuilds exactly when the program changes,
its own headers included."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from proclab.toolchain.compile import compile_c


def _output(binary: Path) -> bytes:
    return subprocess.run([str(binary)], capture_output=True, check=True).stdout


@pytest.fixture()
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("PROCLAB_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_an_edited_local_header_rebuilds_and_an_unchanged_program_does_not(tmp_path: Path, cache: Path) -> None:
    src = tmp_path / "prog.c"
    header = tmp_path / "value.h"
    header.write_text("#define VALUE 1\n")
    src.write_text('#include <stdio.h>\n#include "value.h"\nint main(void) { printf("%d\\n", VALUE); return 0; }\n')
    first = compile_c(src)
    assert _output(first) == b"1\n"
    stamp = first.stat().st_mtime_ns
    assert compile_c(src) == first and first.stat().st_mtime_ns == stamp  # a cache hit
    manifest = first.with_name(first.name + ".headers").read_text()
    assert str(header.resolve()) in manifest and "stdio.h" not in manifest  # libc's are the compiler's
    header.write_text("#define VALUE 2\n")
    assert _output(compile_c(src)) == b"2\n"
