"""proclab diff: the same binary on the host's kernel and on proclab's --
identical runs, a difference shown as a unified diff, --stderr, --stdin,
--explore on a racy program, and bad input refused in one line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from conftest import needs_host
from proclab.cli.diff_cmd import unified_diff
from proclab.toolchain.compile import compile_c

ROOT = Path(__file__).resolve().parent.parent

SAME = r"""
#include <unistd.h>
int main(void) { write(1, "hello\n", 6); write(2, "oops\n", 5); return 3; }
"""
# proclab's pids are not the host's: stdout differs.
PID = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) { printf("start\npid %d\nend\n", (int)getpid()); return 0; }
"""
# The same on stderr: only --stderr sees it.
PID_ON_STDERR = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) { printf("same\n"); fprintf(stderr, "pid %d\n", (int)getpid()); return 0; }
"""
CAT = r"""
#include <unistd.h>
int main(void)
{
    char b[256];
    long n, total = 0;
    while ((n = read(0, b, sizeof b)) > 0) {
        write(1, b, n);
        total += n;
    }
    return total > 0 ? 0 : 5;
}
"""
# "ab" or "ba": the host nearly always gives one of them, proclab both.
TWO_WRITERS = r"""
#include <sys/wait.h>
#include <unistd.h>
int main(void)
{
    pid_t child = fork();
    write(1, child == 0 ? "a" : "b", 1);
    if (child == 0)
        _exit(0);
    wait(0);
    return 0;
}
"""


def source(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / f"{name}.c"
    path.write_text(text)
    return str(path)


def proclab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "proclab", "diff", *args], capture_output=True, timeout=300,
                          cwd=ROOT)


@needs_host
def test_an_identical_run_exits_0_and_says_so(tmp_path: Path) -> None:
    proc = proclab(source(tmp_path, "same", SAME))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"identical: stdout (6 bytes), status 3\n"


@needs_host
def test_a_difference_is_a_unified_diff_and_exit_1(tmp_path: Path) -> None:
    proc = proclab(source(tmp_path, "pid", PID))
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.decode().splitlines()
    assert lines[:2] == ["--- host stdout", "+++ proclab stdout"]
    assert " start" in lines and " end" in lines
    assert sum(line.startswith("-pid ") for line in lines) == 1
    assert sum(line.startswith("+pid ") for line in lines) == 1
    assert lines[-1] == "status: 0 on both"


@needs_host
def test_stderr_is_compared_only_with_the_option(tmp_path: Path) -> None:
    prog = source(tmp_path, "pid_on_stderr", PID_ON_STDERR)
    assert proclab(prog).returncode == 0
    proc = proclab(prog, "--stderr")   # after PROG: still proclab's option
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout.decode()
    assert "stdout: identical (5 bytes)" in out
    assert "--- host stderr\n+++ proclab stderr\n" in out
    same = proclab("--stderr", source(tmp_path, "same", SAME))
    assert same.stdout == b"identical: stdout (6 bytes), stderr (5 bytes), status 3\n"


@needs_host
def test_stdin_is_dev_null_unless_given(tmp_path: Path) -> None:
    prog = source(tmp_path, "cat", CAT)
    assert proclab(prog).stdout == b"identical: stdout (0 bytes), status 5\n"
    data = tmp_path / "in.txt"
    data.write_bytes(b"one\ntwo")  # no newline at the end
    proc = proclab("--stdin", str(data), prog)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"identical: stdout (7 bytes), status 0\n"


@needs_host
def test_a_binary_named_relative_to_the_cwd(tmp_path: Path) -> None:
    """`proclab diff ./prog` runs that file on the host too (not a program
    called "prog" looked up in PATH)."""
    binary = compile_c(Path(source(tmp_path, "same", SAME)))
    proc = subprocess.run([sys.executable, "-m", "proclab", "diff", f"./{binary.name}"], capture_output=True,
                          timeout=300, cwd=binary.parent)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"identical: stdout (6 bytes), status 3\n"


@needs_host
def test_a_host_program_and_its_arguments() -> None:
    proc = proclab("/bin/sh", "-c", "echo hi; exit 4")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"identical: stdout (3 bytes), status 4\n"


@needs_host
def test_explore_finds_each_host_outcome_of_a_race_among_proclabs(tmp_path: Path) -> None:
    proc = proclab("--explore", "--host-runs", "5", source(tmp_path, "two_writers", TWO_WRITERS))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout.decode()
    assert out.startswith("proclab: 2 outcomes from ")
    assert "(every schedule explored)" in out
    assert "host: " in out and " in 5 runs" in out
    assert out.endswith("every host outcome is among proclab's\n")


@needs_host
def test_explore_names_a_host_outcome_proclab_never_produced(tmp_path: Path) -> None:
    proc = proclab("--explore", "--host-runs", "2", source(tmp_path, "pid", PID))
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout.decode()
    assert out.startswith("proclab: 1 outcome from 1 runs")
    assert "host gave an outcome proclab never produced: stdout 'start\\npid " in out


@pytest.mark.parametrize("args, message", [
    (["--host-runs", "0", "x.c"], "proclab: --host-runs 0: must be 1 or more\n"),
    (["--max-runs", "0", "x.c"], "proclab: --max-runs 0: must be 1 or more\n"),
    (["--max-time", "-1", "x.c"], "proclab: --max-time -1: must be a positive number of seconds\n"),
    (["--stdin", "/nonexistent/in", "/bin/true"], "proclab: --stdin /nonexistent/in: no such file or directory\n"),
    (["--stdin", "/", "/bin/true"], "proclab: --stdin /: is a directory\n"),
    (["/nonexistent/prog.c"], "proclab: /nonexistent/prog.c: no such file\n"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    proc = proclab(*args)
    assert proc.returncode == 2
    assert proc.stderr.decode() == message
    assert proc.stdout == b""


def test_the_diff_marks_a_last_line_without_newline() -> None:
    text = unified_diff(b"a\nb", b"a\nc\n", "host stdout", "proclab stdout").decode()
    assert text.splitlines() == ["--- host stdout", "+++ proclab stdout", "@@ -1,2 +1,2 @@", " a", "-b",
                                 "\\ No newline at end of file", "+c"]
