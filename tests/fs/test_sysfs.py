"""/sys/devices/system/cpu (drivers/base/cpu.c) as a scripted program reads
it, for one CPU and for several: the CPU lists of online, possible and
present, offline, kernel_max, one cpuN directory per CPU; the rest of /sys
hidden; and Linux's %*pb and %*pbl bitmap formats that sysfs and
/proc/PID/status print CPU masks with."""

from __future__ import annotations

import struct
from typing import Any, Union

import pytest
from scripted import run_scripted

from proclab.fs.file import O_DIRECTORY, O_RDONLY, O_WRONLY
from proclab.fs.sysfs import bitmap_list_string, bitmap_string
from proclab.kernel.kernel import KernelConfig
from proclab.uapi import errno as E
from proclab.uapi.stat import AT_FDCWD, S_IFDIR, S_IFMT, S_IFREG

CPU = "/sys/devices/system/cpu"


@pytest.mark.parametrize("mask, nbits, hex_text, list_text", [
    (0x1, 1, "1", "0"),
    (0x3, 2, "3", "0-1"),
    (0b1011, 4, "b", "0-1,3"),
    (0b101, 3, "5", "0,2"),
    (0b110111, 6, "37", "0-2,4-5"),
    (0xF0, 4, "0", ""),                                  # bits past nbits are not shown
    (0x5, 12, "005", "0,2"),                             # the first group as wide as its bits need
    (0xFFFFFFFF, 32, "ffffffff", "0-31"),
    (1 << 32, 33, "1,00000000", "32"),
    ((1 << 40) - 1, 40, "ff,ffffffff", "0-39"),
    ((1 << 64) - 1, 64, "ffffffff,ffffffff", "0-63"),
    (0x5, 64, "00000000,00000005", "0,2"),
    (0, 0, "", ""),
])
def test_bitmap_formats_are_linuxs(mask: int, nbits: int, hex_text: str, list_text: str) -> None:
    assert bitmap_string(mask, nbits) == hex_text
    assert bitmap_list_string(mask, nbits) == list_text


def list_dir(u: Any, path: str):
    """getdents64 of `path`: [(name, d_type)] in readdir order, "." and ".."
    left out; or -errno."""
    fd = yield u.sys("openat", AT_FDCWD, u.put(path.encode() + b"\0"), O_RDONLY | O_DIRECTORY, 0)
    if fd < 0:
        return fd
    buf = u.alloc(4096)
    out = []
    while (n := (yield u.sys("getdents64", fd, buf, 4096))) > 0:
        data = u.read(buf, n)
        pos = 0
        while pos < n:
            _ino, _off, reclen, dtype = struct.unpack_from("<QqHB", data, pos)
            name = data[pos + 19:pos + reclen].split(b"\0")[0].decode()
            if name not in (".", ".."):
                out.append((name, dtype))
            pos += reclen
    yield u.sys("close", fd)
    return out


def read_text(u: Any, path: str):
    """open + read of `path`: its bytes, or -errno."""
    fd = yield u.sys("openat", AT_FDCWD, u.put(path.encode() + b"\0"), O_RDONLY, 0)
    if fd < 0:
        return fd
    buf = u.alloc(4096)
    n = yield u.sys("read", fd, buf, 4096)
    yield u.sys("close", fd)
    return u.read(buf, n)


def stat_of(u: Any, path: str):
    """newfstatat of `path`: (file type, permission bits, st_size, st_blocks), or -errno."""
    st = u.alloc(144)
    err = yield u.sys("newfstatat", AT_FDCWD, u.put(path.encode() + b"\0"), st, 0)
    if err < 0:
        return err
    mode, = struct.unpack_from("<I", u.read(st, 144), 24)
    size, _blksize, blocks = struct.unpack_from("<qqq", u.read(st, 144), 48)
    return mode & S_IFMT, mode & 0o7777, size, blocks


def explore(cpus: int) -> dict[str, Union[bytes, int, list, tuple]]:
    seen: dict[str, Union[bytes, int, list, tuple]] = {}

    def main(u):
        for name in ("online", "possible", "present", "offline", "kernel_max", "cpu0/online", "cpu1/online"):
            seen[name] = yield from read_text(u, f"{CPU}/{name}")
        for path in ("/sys", "/sys/devices", "/sys/devices/system", CPU, f"{CPU}/cpu0", f"{CPU}/cpu1"):
            seen["ls " + path] = yield from list_dir(u, path)
        for path in ("/sys", CPU, f"{CPU}/cpu0", f"{CPU}/online"):
            seen["stat " + path] = yield from stat_of(u, path)
        seen["write"] = yield u.sys("openat", AT_FDCWD, u.put(f"{CPU}/online\0".encode()), O_WRONLY, 0)
        seen["create"] = yield u.sys("mkdir", u.put(f"{CPU}/cpu99\0".encode()), 0o755)
        seen["host"] = yield u.sys("openat", AT_FDCWD, u.put(b"/sys/kernel/mm\0"), O_RDONLY, 0)
        seen["mounts"] = yield from read_text(u, "/proc/mounts")

    run_scripted(main, KernelConfig(memory=32 << 20, cpus=cpus))
    return seen


DT_DIR, DT_REG = 4, 8


def test_one_cpu() -> None:
    seen = explore(1)
    assert [seen[n] for n in ("online", "possible", "present", "offline", "kernel_max")] == [
        b"0\n", b"0\n", b"0\n", b"\n", b"63\n"]
    assert seen["cpu0/online"] == -E.ENOENT                # the boot CPU cannot go offline
    assert seen["cpu1/online"] == -E.ENOENT
    assert seen["ls " + CPU] == [("cpu0", DT_DIR), ("kernel_max", DT_REG), ("offline", DT_REG),
                                 ("online", DT_REG), ("possible", DT_REG), ("present", DT_REG)]
    assert seen["ls " + CPU + "/cpu0"] == []
    assert seen["ls " + CPU + "/cpu1"] == -E.ENOENT


def test_four_cpus() -> None:
    seen = explore(4)
    assert [seen[n] for n in ("online", "possible", "present", "offline")] == [b"0-3\n", b"0-3\n", b"0-3\n", b"\n"]
    assert seen["cpu1/online"] == b"1\n" and seen["cpu0/online"] == -E.ENOENT
    assert [name for name, _ in seen["ls " + CPU]][:4] == ["cpu0", "cpu1", "cpu2", "cpu3"]
    assert seen["ls " + CPU + "/cpu1"] == [("online", DT_REG)]


def test_only_the_cpus_of_sys_are_shown_and_nothing_changes() -> None:
    seen = explore(2)
    assert seen["ls /sys"] == [("devices", DT_DIR)]
    assert seen["ls /sys/devices"] == [("system", DT_DIR)]
    assert seen["ls /sys/devices/system"] == [("cpu", DT_DIR)]
    assert seen["host"] == -E.ENOENT                       # the host's /sys stays hidden
    assert seen["stat /sys"] == (S_IFDIR, 0o555, 0, 0)
    assert seen["stat " + CPU] == seen["stat " + CPU + "/cpu0"] == (S_IFDIR, 0o755, 0, 0)
    assert seen["stat " + CPU + "/online"] == (S_IFREG, 0o444, 4096, 0)   # kernfs: a page, no blocks
    assert seen["write"] == -E.EACCES
    assert seen["create"] < 0
    assert b"sysfs /sys sysfs rw,relatime 0 0\n" in seen["mounts"]
