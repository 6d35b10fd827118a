"""execve's limits as Linux has them (fs/exec.c, fs/binfmt_elf.c): big
argument sets passed on from the command line, and ELF files cut short."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import needs_host, program, run_host, run_sim
from proclab.kernel.exec import ARG_MAX, MAX_ARG_STRLEN, bprm_stack_limits
from proclab.toolchain.compile import compile_c

SH = Path("/bin/sh")


def test_bprm_stack_limits_quarter_of_the_stack_between_arg_max_and_6_mib() -> None:
    assert bprm_stack_limits(8 << 20, 1, 0) == (2 << 20) - 8
    assert bprm_stack_limits(64 << 10, 2, 1) == ARG_MAX - 24
    assert bprm_stack_limits(2**64 - 1, 1, 1) == (6 << 20) - 16
    assert bprm_stack_limits(8 << 20, 1 << 18, 0) < 0  # the pointers alone are too many


@needs_host
def test_a_megabyte_of_arguments_from_the_command_line_reaches_the_program() -> None:
    """init hands the command line to execve from its scratch memory, which
    holds any argument set execve accepts."""
    args = ("count", *["a" * 1023] * 1024)
    sim = run_sim(program("exec_arg_limits"), args)
    assert (sim.stdout, sim.status) == run_host(program("exec_arg_limits"), args)
    assert sim.stdout == b"  child: argc 1026, 1047552 bytes\n"


def test_a_string_longer_than_max_arg_strlen_fails_with_e2big() -> None:
    """An argument set execve refuses: init's child exits 126 as a shell's
    would, and the program never runs."""
    sim = run_sim(program("exec_arg_limits"), ("count", "a" * MAX_ARG_STRLEN))
    assert (sim.stdout, sim.status) == (b"", 126)


def _truncated(tmp_path: Path, size: int) -> Path:
    """A stripped static binary cut after `size` bytes (its first 3/4 when
    `size` is 0); its ELF header is at the start."""
    source = tmp_path / "hello.c"
    source.write_text('#include <stdio.h>\nint main(void) { puts("hello"); return 0; }\n')
    whole = compile_c(source, ("-O1", "-s")).read_bytes()
    cut = tmp_path / "cut"
    cut.write_bytes(whole[: size or len(whole) * 3 // 4])
    cut.chmod(0o755)
    return cut


@needs_host
@pytest.mark.parametrize("size", [0, 4096, 1024, 100])
def test_truncated_static_binary_run_from_sh_gets_the_hosts_status(tmp_path: Path, size: int) -> None:
    """The segments are mapped past the point of no return (load_elf_binary
    after begin_new_exec): a bss page the file does not reach cannot be
    zeroed (padzero), and the new image dies of SIGSEGV (sh reports 139). A
    file that ends within the program headers fails earlier: EIO (126)."""
    cut = _truncated(tmp_path, size)
    sim = run_sim(SH, ("-c", str(cut)))
    host = run_host(SH, ("-c", str(cut)))
    assert (sim.status, sim.stdout) == (host[1], host[0])
