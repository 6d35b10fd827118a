"""`proclab run` on programs that once broke proclab itself: each must end as
it does on Linux, with no internal error, whatever tracing is on and
whatever stdin is."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from conftest import PROGRAMS

HANDLER_REAPS = PROGRAMS / "lifecycle" / "wait_reaped_by_handler.c"
POLL_PRI = PROGRAMS / "files" / "poll_pri_stdin.c"
SIGALRM_STATUS = 128 + 14
HANG = 60  # s of wall time after which a run counts as hung (the failure mode, not a time limit)


def proclab_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "proclab", "run", *args]


@pytest.mark.parametrize("tracing", [["--summary"], ["--tree"], ["--trace", "run.json"],
                                     ["--timeline", "run.html"]], ids=lambda o: o[0])
def test_waitpid_of_a_pid_a_handler_reaped_is_echild_with_tracing(tracing: list[str], tmp_path: Path) -> None:
    """The sched_process_wait tracepoint of a wait for a pid that names
    nothing any more reports pid 0, as pid_nr(NULL) does."""
    res = subprocess.run(proclab_cmd(*tracing, str(HANDLER_REAPS)), cwd=tmp_path, capture_output=True, timeout=HANG)
    assert res.returncode == 0, res.stderr.decode()
    assert b"internal error" not in res.stderr
    assert b"waitpid(pid) = -1, errno ECHILD\n" in res.stdout


def run_with_stdin(stdin: int | IO[bytes], *args: str) -> int:
    """The exit status of proclab running poll_pri_stdin.c with `stdin`."""
    return subprocess.run(proclab_cmd(str(POLL_PRI), *args), stdin=stdin, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL, timeout=HANG).returncode


@pytest.mark.parametrize("call", ["poll", "select"])
def test_waiting_for_urgent_data_on_a_readable_file_sleeps_until_the_alarm(call: str, tmp_path: Path) -> None:
    """A regular file (and /dev/null) is readable, never POLLPRI: the wait
    lasts until SIGALRM, which virtual time reaches at once (a livelock would take far longer than HANG)."""
    data = tmp_path / "input"
    data.write_bytes(b"hi\n")
    for path in (data, Path("/dev/null")):
        with path.open("rb") as stdin:
            assert run_with_stdin(stdin, call) == SIGALRM_STATUS, path


@pytest.mark.parametrize("call", ["poll", "select"])
def test_waiting_for_urgent_data_on_a_pipe_with_data_sleeps_until_the_alarm(call: str) -> None:
    """A pipe holding data, its writer still there: POLLIN only, so the wait
    for POLLPRI goes on until SIGALRM."""
    proc = subprocess.Popen(proclab_cmd(str(POLL_PRI), call), stdin=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    assert proc.stdin is not None
    try:
        proc.stdin.write(b"hi\n")
        proc.stdin.flush()
        assert proc.wait(timeout=HANG) == SIGALRM_STATUS
    finally:
        proc.stdin.close()
        proc.kill()
        proc.wait()


UNTIL_INTERRUPTED = Path(__file__).resolve().parent / "never_ending" / "until_interrupted.c"


@pytest.mark.parametrize("mode", ["spin", "read"])
def test_ctrl_c_stops_the_machine_with_output_and_summary_kept(mode: str, tmp_path: Path) -> None:
    """SIGINT to proclab (the terminal's Ctrl-C) stops the machine between
    two turns, or ends its wait in the host for stdin: the program's output
    so far, the summary and the trace are whole, and proclab exits 130 as a
    shell reports a command interrupted."""
    proc = subprocess.Popen(proclab_cmd("--summary", "--trace", "run.json", str(UNTIL_INTERRUPTED), mode),
                            cwd=tmp_path, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n"   # it runs (and, for "read", waits on the open pipe)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=HANG)
    assert proc.returncode == 130, err.decode()
    assert b"proclab: stopped: interrupted (Ctrl-C) at virtual time" in err
    assert b"process tree" in err and b"until_interrupt" in err  # (comm: 15 characters)
    assert b"internal error" not in err and b"Traceback" not in err
    assert json.loads((tmp_path / "run.json").read_text())["traceEvents"]
    assert b"ready" not in out   # (read once above; nothing is written twice)
