"""vm.max_map_count through /proc/sys/vm: read, written (an int from 0 up,
EINVAL otherwise), shared by every process of the kernel, and enforced by
mmap with ENOMEM once map_count is above it (as do_mmap checks it); pages
mapped one by one with the same rights merge and count once."""

from __future__ import annotations

from scripted import run_scripted

from proclab.fs.file import O_RDONLY, O_WRONLY
from proclab.mm.mm_struct import DEFAULT_MAX_MAP_COUNT
from proclab.uapi import errno as E
from proclab.uapi import mman as M
from proclab.uapi.stat import AT_FDCWD

PATH = b"/proc/sys/vm/max_map_count\0"
ANON = M.MAP_PRIVATE | M.MAP_ANONYMOUS


def test_max_map_count_is_read_written_and_enforced() -> None:
    got: dict = {}

    def main(u):
        fd = yield u.sys("openat", AT_FDCWD, u.put(PATH), O_RDONLY, 0)
        buf = u.alloc(64)
        n = yield u.sys("read", fd, buf, 64)
        got["default"] = u.read(buf, n)
        yield u.sys("close", fd)
        fd = yield u.sys("openat", AT_FDCWD, u.put(PATH), O_WRONLY, 0)
        got["negative"] = yield u.sys("write", fd, u.put(b"-1\n"), 3)
        got["word"] = yield u.sys("write", fd, u.put(b"ten\n"), 4)
        got["ok"] = yield u.sys("write", fd, u.put(b"8\n"), 2)
        yield u.sys("close", fd)
        start = u.task.mm.map_count
        for _ in range(4):  # like pages: one VMA
            yield u.sys("mmap", 0, 4096, M.PROT_READ, ANON, -1, 0)
        got["merged"] = u.task.mm.map_count - start
        results = []
        for i in range(20):
            prot = M.PROT_READ | M.PROT_WRITE if i % 2 == 0 else M.PROT_READ
            results.append((yield u.sys("mmap", 0, 4096, prot, ANON, -1, 0)))
        got["failed"] = [r for r in results if r < 0][:1]
        got["count"] = u.task.mm.map_count

    k = run_scripted(main)
    assert got["default"] == f"{DEFAULT_MAX_MAP_COUNT}\n".encode()
    assert got["negative"] == -E.EINVAL and got["word"] == -E.EINVAL and got["ok"] == 2
    assert got["merged"] == 1
    assert got["failed"] == [-E.ENOMEM] and got["count"] == 9   # map_count may reach max_map_count + 1
    assert k.vm_sysctl.max_map_count == 8
