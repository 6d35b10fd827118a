"""Networking is not simulated: the kernel has no address family. socket()
checks its arguments as Linux does and then fails with EAFNOSUPPORT; calls on
a socket fd find none (EBADF, ENOTSOCK); nothing warns, because the host's
programs (glibc's name-service lookups in ls -l, id, ps) probe for nscd this
way and carry on."""

from __future__ import annotations

from pathlib import Path

from conftest import run_sim

from proclab.toolchain.compile import compile_c

SOURCE = r"""
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>
static void show(const char *what, int r) { printf("%s %d %d\n", what, r, r < 0 ? errno : 0); }
int main(void) {
    int sv[2], p[2];
    pipe(p);
    show("socket inet", socket(AF_INET, SOCK_STREAM, 0));
    show("socket unix cloexec", socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    show("socket bad flag", socket(AF_UNIX, SOCK_STREAM | 0x100, 0));
    show("socket bad type", socket(AF_UNIX, 12, 0));
    show("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    struct sockaddr sa = {0};
    show("connect pipe", connect(p[0], &sa, sizeof sa));
    show("connect closed", connect(99, &sa, sizeof sa));
    show("send pipe", (int)send(p[1], "x", 1, 0));
    show("shutdown stdin", shutdown(0, SHUT_RDWR));
    return 0;
}
"""


def test_no_address_family_and_no_socket_fd(tmp_path: Path) -> None:
    src = tmp_path / "no_net.c"
    src.write_text(SOURCE)
    run = run_sim(compile_c(src))
    assert run.stdout.decode().splitlines() == [
        "socket inet -1 97", "socket unix cloexec -1 97", "socket bad flag -1 22", "socket bad type -1 22",
        "socketpair -1 97", "connect pipe -1 88", "connect closed -1 9", "send pipe -1 88",
        "shutdown stdin -1 88",
    ]
    assert not [line for line in run.kernel.log if "not implemented" in line]
