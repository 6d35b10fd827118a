"""Issue 5: the host's ordinary programs run on proclab, dynamically linked as
they are, and print what they print on the host: `proclab run /bin/sh -c
'echo hi | wc -c'` and the rest of the issue's list. Each command runs
natively and through the CLI, with the same environment (PATH only, C
locale) and empty stdin; stdout and exit status must be identical, and
proclab must not warn of a syscall it does not implement. (The textbook
redirection program of the list is tests/programs/files/redirect_wc.c,
compared by test_conformance.)

`ls /`: the simulated root is the host's root, read-only, so the listing
must be the host's, byte for byte: ls sorts it itself, in the C locale on
both sides. That includes `proc` and `sys`: proclab mounts no procfs or
sysfs, so what lies below them is hidden, but they are directories of the
root filesystem (mount points), listed like on a system that has nothing
mounted there; hiding the names too would be a difference, not a choice.

bash's process substitution opens /dev/fd/63, a pipe reached through /proc's
magic links; the FIFO command waits in open on both sides of a named pipe.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from conftest import needs_host, shell_status

ENV = {"PATH": "/usr/bin:/bin", "LC_ALL": "C"}
COMMANDS = [
    ["/bin/sh", "-c", "echo hi | wc -c"],
    ["/bin/sh", "-c", "for i in 1 2 3; do echo $i; done | tail -1"],
    ["/bin/sh", "-c", "exit 3"],
    ["/bin/sh", "-c", "kill -TERM $$"],
    ["/bin/sh", "-c", "yes | head -c 100000 | wc -c"],
    ["/bin/ls", "/"],
    ["/usr/bin/env", "-i", "A=1", "/usr/bin/env"],
    ["/bin/bash", "-c", "cat <(echo procsub)"],
    ["/bin/sh", "-c", "mkfifo /tmp/proclab_fifo_$$ && (echo fifo > /tmp/proclab_fifo_$$ &) && cat /tmp/proclab_fifo_$$; "
                      "rm -f /tmp/proclab_fifo_$$"],
    ["/bin/sh", "-c", "seq 1 5 | xargs echo"],  # xargs polls its fds
    # coreutils' timeout arms a POSIX timer (timer_create + timer_settime on
    # CLOCK_REALTIME, SIGALRM) and kills sleep when it fires: status 124
    ["/bin/sh", "-c", "timeout 1 sleep 5; echo $?"],
    # subprocess creates an epoll instance (epoll_create1) on its way
    ["/bin/sh", "-c", "python3 -c 'import subprocess; print(subprocess.run([\"echo\",\"x\"],capture_output=True).stdout)'"],
]


def host(cmd: list[str]) -> tuple[bytes, int]:
    proc = subprocess.run(cmd, input=b"", capture_output=True, env=ENV, timeout=60)
    return proc.stdout, shell_status(proc.returncode)


def sim(cmd: list[str]) -> tuple[bytes, int, bytes]:
    proc = subprocess.run([sys.executable, "-m", "proclab", "run", *cmd], input=b"", capture_output=True,
                          env=ENV, timeout=600)
    return proc.stdout, proc.returncode, proc.stderr


@needs_host
@pytest.mark.parametrize("cmd", COMMANDS, ids=" ".join)
def test_same_output_and_status_as_on_the_host(cmd: list[str]) -> None:
    if not os.access(cmd[0], os.X_OK):
        pytest.skip(f"the host has no {cmd[0]}")
    expected = host(cmd)
    stdout, status, stderr = sim(cmd)
    assert (stdout, status) == expected, stderr.decode(errors="replace")
    assert b"not implemented" not in stderr, stderr.decode(errors="replace")
