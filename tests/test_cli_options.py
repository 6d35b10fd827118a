"""`proclab run`'s options as a user mistypes them: each bad value is one line
on stderr naming the option and what it allows, exit code 2, before anything
is compiled; --help (and -h) print the help and exit 0."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_cli import one_line, proclab

MISSING = "no_such_program.c"  # never reached: the options are checked first


@pytest.mark.parametrize("args, allowed", [
    (["--cpus", "0"], "between 1 and 64"),
    (["--cpus", "65"], "between 1 and 64"),
    (["--mem", "-1"], "between 4 and 65536 MiB"),
    (["--pid-max", "5"], "between 301 and 4194304"),
    (["--sched", "bogus"], "eevdf, cfs or rr"),
    (["--max-time", "-1"], "positive"),
    (["--max-time", "inf"], "positive"),
    (["--max-cpu", "0"], "positive"),
    (["--max-cpu", "nan"], "positive"),
    (["--seed", "-1"], "0 or more"),
])
def test_a_value_out_of_range_is_one_line_naming_the_option(args: list[str], allowed: str) -> None:
    res = proclab("run", *args, MISSING)
    assert res.returncode == 2
    line = one_line(res.stderr)
    assert line.startswith(f"proclab: {args[0]} ") and allowed in line, line


@pytest.mark.parametrize("args", [["--seed", "abc"], ["--cpus", "1.5"], ["--max-time", "soon"], ["--mem"]])
def test_a_value_that_is_not_a_number_is_one_line_too(args: list[str]) -> None:
    res = proclab("run", *args, MISSING)
    assert res.returncode == 2
    assert args[0] in one_line(res.stderr)


def test_an_unknown_command_is_one_line() -> None:
    res = proclab("bogus")
    assert res.returncode == 2
    assert "bogus" in one_line(res.stderr)


@pytest.mark.parametrize("args", [["--help"], ["-h"], ["run", "--help"], ["run", "-h"],
                                  ["run", "--cpus", "2", "--help"], ["trace", "--help"]])
def test_help_is_printed_with_exit_code_0(args: list[str]) -> None:
    res = proclab(*args)
    assert res.returncode == 0, res.stderr
    assert b"Usage: proclab" in res.stdout
    if args[0] == "run":
        assert b"--pid-max" in res.stdout
    assert res.stderr == b""


def test_help_after_the_program_is_the_programs(tmp_path: Path) -> None:
    src = tmp_path / "echo_args.c"
    src.write_text('#include <stdio.h>\nint main(int c, char **v) {'
                   ' for (int i = 1; i < c; i++) printf("[%s]", v[i]); puts(""); return 0; }\n')
    res = proclab("run", str(src), "--help", "-h")
    assert (res.returncode, res.stdout, res.stderr) == (0, b"[--help][-h]\n", b"")
