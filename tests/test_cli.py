"""`proclab run` as a user sees it: bad input gets one clear line and a
non-zero exit code, never a traceback; programs that never end are stopped by
a budget with exit code 124; the program's status is proclab's."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import EXAMPLES, PROGRAMS, needs_host

NEVER = Path(__file__).resolve().parent / "never_ending"


def proclab(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "proclab", *args], input=stdin, capture_output=True, timeout=300)


def one_line(stderr: bytes) -> str:
    lines = stderr.decode().strip().splitlines()
    assert len(lines) == 1, lines
    assert "Traceback" not in lines[0]
    return lines[0]


def test_runs_a_c_file_with_its_output_and_status() -> None:
    res = proclab("run", str(EXAMPLES / "fork_hello.c"))
    assert res.returncode == 0
    assert res.stdout == (b"hello from the only process\nhello from the child\n"
                          b"hello from the parent: my child exited with 7\n")
    assert res.stderr == b""


def test_passes_arguments_and_option_like_ones(tmp_path: Path) -> None:
    src = tmp_path / "echo_args.c"
    src.write_text('#include <stdio.h>\nint main(int c, char **v) {'
                   ' for (int i = 1; i < c; i++) printf("[%s]", v[i]); puts(""); return c; }\n')
    res = proclab("run", str(src), "one", "-x", "--summary")
    assert res.stdout == b"[one][-x][--summary]\n"
    assert res.returncode == 4
    assert res.stderr == b""


def test_proclab_options_right_after_the_program_are_proclabs(tmp_path: Path) -> None:
    """`proclab run fork3.c --trace run.json --tree`, as a student types it;
    after `--` even proclab's option names are the program's."""
    src = tmp_path / "echo_args.c"
    src.write_text('#include <stdio.h>\nint main(int c, char **v) {'
                   ' for (int i = 1; i < c; i++) printf("[%s]", v[i]); puts(""); return 0; }\n')
    trace = tmp_path / "run.json"
    res = proclab("run", str(src), "--trace", str(trace), "--tree", "--", "--tree", "x")
    assert res.stdout == b"[--tree][x]\n"
    assert "process tree" in res.stderr.decode()
    assert json.loads(trace.read_bytes())["traceEvents"]


def test_summary_shows_the_tree_and_counts() -> None:
    res = proclab("run", "--summary", str(EXAMPLES / "seed_ex3_process_count.c"))
    assert res.returncode == 0
    assert res.stdout == b"process\n" * 12
    text = res.stderr.decode()
    assert "process tree" in text and "1 init" in text
    assert text.count("exit 0") == 12 and text.count("reaped by") == 12
    for counter in ("tasks created: 15", "context switches:", "page faults:", "copy-on-write copies:", "syscalls:"):
        assert counter in text


def test_summary_shows_what_became_of_each_signal() -> None:
    """G3/G4 in the summary, per process: five blocked SIGUSR1 coalesce into
    one delivery; real-time signals queue; a SIGKILL is fatal although it is
    never dequeued; sigwaitinfo takes signals; init ignores SIGCHLD."""
    res = proclab("run", "--summary", str(PROGRAMS / "signals" / "blocked_once.c"))
    text = res.stderr.decode()
    assert "SIGUSR1 sent 5: 4 merged with a pending one, 1 handled" in text
    assert "SIGRT5 sent 5: 5 handled" in text  # musl's SIGRTMIN+2 is signal 37
    assert "signals sent: 11" in text  # ten kills and the SIGCHLD to init
    lines = proclab("run", "--summary", str(PROGRAMS / "signals" / "g6_job_control.c")).stderr.decode().splitlines()
    killed = [i for i, line in enumerate(lines) if "SIGKILL · reaped by" in line]
    assert killed and all("SIGKILL fatal" in lines[i + 1] for i in killed), lines
    text = proclab("run", "--summary", str(PROGRAMS / "signals" / "g4_delivery_order.c")).stderr.decode()
    assert "SIGSYS taken by sigwait" in text and "SIGTERM sent 2: 2 handled" in text
    assert "1 init" in text and "signals: SIGCHLD ignored" in text


def test_crash_status_and_message() -> None:
    res = proclab("run", str(PROGRAMS / "crash.c"))
    assert res.returncode == 139
    assert res.stdout == b"about to crash\n"
    assert "terminated by SIGSEGV" in one_line(res.stderr)


def test_missing_file() -> None:
    res = proclab("run", "no/such/prog")
    assert res.returncode == 2
    assert one_line(res.stderr) == "proclab: no/such/prog: no such file"


def test_not_an_executable(tmp_path: Path) -> None:
    junk = tmp_path / "junk"
    junk.write_bytes(b"echo hi\n")
    junk.chmod(0o755)
    res = proclab("run", str(junk))
    assert res.returncode == 2
    assert "not an executable" in one_line(res.stderr)


def test_an_elf_for_another_machine_is_refused(tmp_path: Path) -> None:
    binary = tmp_path / "arm"
    # an ELF header: 64-bit, little-endian, ET_EXEC, e_machine 183 (AArch64)
    header = b"\x7fELF\x02\x01\x01" + bytes(9) + (2).to_bytes(2, "little") + (183).to_bytes(2, "little")
    binary.write_bytes(header.ljust(64, b"\0"))
    binary.chmod(0o755)
    res = proclab("run", str(binary))
    assert res.returncode == 2
    assert "not an x86-64 Linux executable" in one_line(res.stderr)


@needs_host
def test_dynamic_programs_and_scripts_of_the_host_run() -> None:
    """A dynamically linked host program starts through its interpreter
    (PT_INTERP) loaded from the simulated filesystem; a #! script through
    its interpreter; a bare name is found in PATH."""
    assert proclab("run", "false").returncode == 1
    res = proclab("run", "/bin/sh", "-c", "echo hi; exit 3")
    assert (res.stdout, res.returncode) == (b"hi\n", 3)


def test_a_script_runs_through_its_interpreter(tmp_path: Path) -> None:
    script = tmp_path / "hello.sh"
    script.write_text("#!/bin/sh -e\necho \"$0 says $1\"\n")
    script.chmod(0o755)
    res = proclab("run", str(script), "hi")
    assert res.returncode == 0
    assert res.stdout == f"{script} says hi\n".encode()


def test_compile_error_shows_diagnostics_and_exits_2() -> None:
    res = proclab("run", str(NEVER / "broken.c"))
    assert res.returncode == 2
    text = res.stderr.decode()
    assert "undeclared_variable" in text
    assert text.strip().splitlines()[-1].endswith("compilation failed")
    assert "Traceback" not in text


def test_compute_loop_is_stopped_by_the_cpu_budget() -> None:
    res = proclab("run", "--max-cpu", "0.05", str(NEVER / "spin.c"))
    assert res.returncode == 124
    assert "CPU time limit" in one_line(res.stderr)


def test_sleeping_forever_is_stopped_by_the_time_budget() -> None:
    res = proclab("run", "--max-time", "30", str(NEVER / "sleepy.c"))
    assert res.returncode == 124
    assert "virtual time limit" in one_line(res.stderr)


def test_deadlock_is_reported() -> None:
    res = proclab("run", str(NEVER / "deadlock.c"))
    assert res.returncode == 124
    assert "asleep" in one_line(res.stderr)


def test_unknown_syscall_is_enosys_with_one_warning() -> None:
    res = proclab("run", str(NEVER / "unknown_syscall.c"))
    assert res.returncode == 0
    assert res.stdout == b"-1 1 -1 1\n"
    line = one_line(res.stderr)
    assert "syscall #999" in line and "ENOSYS" in line


@pytest.mark.parametrize("bad", [["--mem", "1"], ["--pid-max", "10"]])
def test_bad_options(bad: list[str]) -> None:
    res = proclab("run", *bad, str(EXAMPLES / "fork_hello.c"))
    assert res.returncode == 2
    one_line(res.stderr)


def test_fork_bomb_ends_with_eagain_and_a_summary_line() -> None:
    res = proclab("run", "--summary", "--pid-max", "600", str(NEVER / "fork_bomb.c"))
    assert res.returncode == 0
    assert res.stdout.startswith(b"the first process survived; its own forks that failed: ")
    text = res.stderr.decode()
    assert "fork failed:" in text and "for no free pid" in text
    assert "panic" not in text


def test_endless_fork_bomb_is_ended_by_the_cpu_budget_under_default_options() -> None:
    """Issue 12: the pids run out (EAGAIN), kernel work keeps the clock
    ticking, every task gets its turn, and the default --max-cpu ends the
    run with one line naming the budget and how to raise it, then the
    summary with the failed forks."""
    res = proclab("run", "--summary", str(NEVER / "fork_forever.c"))
    assert res.returncode == 124
    text = res.stderr.decode()
    stop = [line for line in text.splitlines() if line.startswith("proclab: stopped:")]
    assert len(stop) == 1
    assert "CPU time limit of 10 s" in stop[0] and "--max-cpu" in stop[0]
    assert "tasks created: 32767" in text
    assert "for no free pid" in text
    assert "Traceback" not in text


LONG_RUN = r"""
#include <stdio.h>
#include <unistd.h>
int main(void) {
    for (int round = 0; round < 4; round++) {
        for (int i = 0; i < 200000; i++) getppid();
        printf("round %d\n", round);
        fflush(stdout);
    }
    return 0;
}
"""


def test_a_long_run_shows_progress_on_a_terminal_and_nothing_in_a_pipe(tmp_path: Path) -> None:
    """A run of a few seconds: on a terminal, a progress line with the virtual
    time; redirected, stderr stays empty. The program's output is the same."""
    src = tmp_path / "long_run.c"
    src.write_text(LONG_RUN)
    piped = proclab("run", str(src))
    assert piped.stdout == b"".join(b"round %d\n" % i for i in range(4)) and piped.stderr == b""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "proclab", "run", str(src)],
                            stdout=subprocess.PIPE, stderr=slave, stdin=subprocess.DEVNULL)
    os.close(slave)
    terminal = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: every writer of the terminal is gone
            break
        if not chunk:
            break
        terminal += chunk
    os.close(master)
    assert proc.stdout is not None
    assert proc.stdout.read() == piped.stdout and proc.wait(timeout=300) == 0
    text = terminal.decode(errors="replace")
    assert "running long_run.c" in text and "ms virtual" in text and "context switches" in text
    assert text.rstrip().endswith("\x1b[2K")  # the line is erased at the end
