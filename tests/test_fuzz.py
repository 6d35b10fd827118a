"""proclab's own fuzzers on a fixed set of seeds (issue 15, item 4): the
syscall fuzzer (fuzz/syscall_fuzz.c) and the ELF mutator (fuzz/elf_mutate.py),
each run classified by fuzz/run.py, must give no failure: no traceback,
internal error, oops, panic, hang or changed host file. The sets include the
seeds that once found a bug; `python fuzz/run.py` runs thousands more."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from conftest import needs_host

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
sys.path.insert(0, str(FUZZ))

import elf_mutate  # noqa: E402
import run as fuzz_run  # noqa: E402

# 75: select's timeout sum past LONG_MAX; 540: mmap of a /proc file; 2677: SS_AUTODISARM (bit 31) in
# sigaltstack; 5307: a negative file time in stat; 3446: the OOM killer choosing init; the rest, a spread.
SYSCALL_SEEDS = [75, 540, 2677, 5307, 3446, 1, 2, 3, 1000, 1001, 5000, 9001, 123456]
# 42, 78: e_phoff beyond any file; 288: a PT_INTERP name with a NUL inside; 991, 2904: endless loops
# (2904 four instructions long), 1440: a fork bomb, each ended by the CPU budget inside the wall limit.
ELF_SEEDS = [42, 78, 288, 991, 1440, 2904, *range(2000, 2021)]
CALLS = 300
JOBS = min(2, os.cpu_count() or 1)


def _failures(outcomes: list[fuzz_run.Outcome]) -> list[str]:
    return [f"{o.fuzzer} seed {o.seed}: {o.failure}: {o.detail} ({o.command})" for o in outcomes if o.failure]


@needs_host
def test_syscall_fuzzer_seeds_pass() -> None:
    case = fuzz_run.syscall_case(fuzz_run.build_syscall_fuzzer(), CALLS, fuzz_run.WALL)
    assert _failures(fuzz_run.run_seeds(case, SYSCALL_SEEDS, JOBS)) == []


def test_elf_mutant_seeds_pass() -> None:
    assert _failures(fuzz_run.run_seeds(fuzz_run.elf_case(fuzz_run.WALL), ELF_SEEDS, JOBS)) == []


def test_mutations_are_seeded_and_change_the_binary() -> None:
    original = elf_mutate.build_target()
    assert elf_mutate.mutate(original, 7) == elf_mutate.mutate(original, 7)
    assert sum(elf_mutate.mutate(original, seed) != original for seed in range(20)) >= 15  # a few set a field to its value


@pytest.mark.parametrize("stderr, returncode, failure", [
    ("proclab: kernel oops in read by pid 5 (x): KeyError: 1 (traceback in /tmp/f)\n", 70, "kernel oops"),
    ("proclab: internal error: ValueError: x (set PROCLAB_DEBUG=1 for a traceback)\n", 70, "internal error"),
    ("Traceback (most recent call last):\n  ...\nValueError: x\n", 1, "traceback"),
    ("", 70, "exit 70"),
    ("", None, "hang"),
    ("proclab: stopped: virtual time limit\n", 124, None),
    ("", 139, None),
])
def test_classify(stderr: str, returncode: int, failure: str) -> None:
    assert fuzz_run.classify(returncode, stderr) == failure


def test_the_syscall_table_header_names_every_call_with_its_paths() -> None:
    header = fuzz_run.syscall_table_header()
    assert '{0, "read", "ipp", 0}' in header
    assert '{257, "openat", "ipiu", 2}' in header
    assert '{82, "rename", "pp", 3}' in header


def _patched(original: bytes, offset: int, value: bytes) -> bytes:
    return original[:offset] + value + original[offset + len(value):]


@pytest.mark.parametrize("what", ["phoff", "interp"])
def test_bad_headers_end_the_run_in_one_line_at_most(what: str, tmp_path: Path) -> None:
    """e_phoff past any file (the CLI's check once seeked there: a
    traceback); a PT_INTERP whose name has a NUL inside (a C string ends
    there: exec fails with ENOENT, as on the host, status 127)."""
    import subprocess
    original = elf_mutate.build_target()
    if what == "phoff":
        image = _patched(original, 32, (2**64 - 1).to_bytes(8, "little"))
    else:
        phoff = int.from_bytes(original[32:40], "little")
        ph = phoff + 56 * 5  # PT_GNU_STACK, made a PT_INTERP naming "" then "/x"
        name_at = 0x100
        image = _patched(original, ph, (3).to_bytes(4, "little") + bytes(4) + name_at.to_bytes(8, "little"))
        image = _patched(image, ph + 32, (4).to_bytes(8, "little"))
        image = _patched(image, name_at, b"\0/x\0")
    mutant = tmp_path / "mutant"
    mutant.write_bytes(image)
    mutant.chmod(0o755)
    res = subprocess.run([sys.executable, "-m", "proclab", "run", str(mutant)], capture_output=True, timeout=60)
    assert fuzz_run.classify(res.returncode, res.stderr.decode()) is None, res.stderr.decode()
    assert len(res.stderr.splitlines()) <= 1
    if what == "interp":
        assert res.returncode == 127
