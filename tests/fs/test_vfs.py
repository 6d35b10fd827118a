"""The filesystem core without any CPU: the overlay of an in-memory layer over
a read-only host directory, path lookup, and what programs can and cannot do
to the host (SEMANTICS I2; issue: files)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from proclab.fs.console import BufferConsole
from proclab.fs.dir import Directory
from proclab.fs.memfs import MemFile
from proclab.fs.namei import FsIds, Walker
from proclab.fs.vfs import Vfs
from proclab.mm.filemap import PageCache
from proclab.mm.physmem import PhysMem
from proclab.uapi import errno as E

ROOT = FsIds(0, 0)
USER = FsIds(1000, 1000)


def snapshot(top: Path) -> dict:
    """Every name under `top` with its contents (or link target) and mtime."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(top):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            st = p.lstat()
            body = os.readlink(p) if p.is_symlink() else (p.read_bytes() if p.is_file() else None)
            out[str(p.relative_to(top))] = (st.st_mode, st.st_mtime_ns, body)
    return out


@pytest.fixture()
def host(tmp_path: Path) -> Path:
    top = tmp_path / "root"
    (top / "etc").mkdir(parents=True)
    (top / "etc" / "motd").write_text("hello\n")
    (top / "bin").mkdir()
    (top / "bin" / "tool").write_bytes(b"\x7fELF...")
    (top / "bin" / "tool").chmod(0o755)
    (top / "full").mkdir()
    (top / "full" / "a").write_text("a")
    (top / "link-out").symlink_to("/../../etc/motd")
    (top / "loop").symlink_to("loop")
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    (top / "escape").symlink_to(str(outside))
    return top


def make_vfs(host_root: Path) -> Vfs:
    phys = PhysMem(16 << 20)
    return Vfs(phys, PageCache(phys), lambda: 0, BufferConsole(), random.Random(0).randbytes, str(host_root))


def walk(vfs: Vfs, path: str, follow: bool = True, ids: FsIds = ROOT, start: Directory | None = None):
    return Walker(vfs.root, ids).walk(path, start or vfs.root, follow)


def read(vfs: Vfs, path: str) -> bytes:
    found = walk(vfs, path)
    assert not isinstance(found, int), found
    return found.inode.read(0, 1 << 20)


def test_host_files_are_seen_and_never_changed(host: Path) -> None:
    before = snapshot(host)
    vfs = make_vfs(host)
    assert read(vfs, "/etc/motd") == b"hello\n"
    motd = walk(vfs, "/etc/motd")
    copy = vfs.writable_inode(motd.dir, motd.name, motd.inode)
    assert isinstance(copy, MemFile) and copy is not motd.inode
    copy.write(copy.size, b"more\n")
    assert read(vfs, "/etc/motd") == b"hello\nmore\n"              # the copy took its place
    etc = walk(vfs, "/etc").inode
    new = vfs.create(etc, "new", 0o644, ROOT)
    new.write(0, b"fresh")
    assert vfs.unlink(walk(vfs, "/bin").inode, "tool", ROOT) == 0
    assert walk(vfs, "/bin/tool").inode is None                    # a whiteout hides it
    assert "tool" not in walk(vfs, "/bin").inode.names()
    assert vfs.rename(etc, "new", walk(vfs, "/").inode, "moved", 0, ROOT) == 0
    assert vfs.mkdir(vfs.root, "d", 0o755, ROOT) is not None
    assert snapshot(host) == before                                # nothing on the host changed


def test_paths_cannot_leave_the_root(host: Path) -> None:
    vfs = make_vfs(host)
    assert read(vfs, "/../../../etc/motd") == b"hello\n"          # ".." stops at the root
    assert read(vfs, "/link-out") == b"hello\n"                   # so does a link's target
    assert walk(vfs, "/escape") == -E.ENOENT                      # an absolute target is inside the root
    assert walk(vfs, "/loop") == -E.ELOOP
    assert walk(vfs, "/etc/motd/x") == -E.ENOTDIR
    assert walk(vfs, "/etc/motd/") == -E.ENOTDIR
    assert walk(vfs, "/nope/x") == -E.ENOENT
    assert walk(vfs, "/" + "x" * 256) == -E.ENAMETOOLONG


def test_directories_and_renames(host: Path) -> None:
    vfs = make_vfs(host)
    full = walk(vfs, "/full").inode
    assert vfs.rmdir(vfs.root, "full", ROOT) == -E.ENOTEMPTY
    assert vfs.rename(vfs.root, "full", full, "inside", 0, ROOT) == -E.EINVAL
    sub = vfs.mkdir(full, "sub", 0o755, ROOT)
    assert sub.path_to(vfs.root) == "/full/sub"
    assert vfs.rename(vfs.root, "full", vfs.root, "renamed", 0, ROOT) == 0
    assert sub.path_to(vfs.root) == "/renamed/sub"               # getcwd follows the move
    assert vfs.rmdir(walk(vfs, "/renamed").inode, "sub", ROOT) == 0
    assert sub.path_to(vfs.root) is None                         # a removed cwd: ENOENT
    f = vfs.create(vfs.root, "f", 0o644, ROOT)
    g = vfs.create(vfs.root, "g", 0o644, ROOT)
    assert vfs.rename(vfs.root, "f", vfs.root, "g", 0, ROOT) == 0
    assert walk(vfs, "/g").inode is f and g.nlink == 0
    assert vfs.rename(vfs.root, "g", vfs.root, "renamed", 0, ROOT) == -E.EISDIR


def test_permissions_of_a_plain_user(host: Path) -> None:
    vfs = make_vfs(host)
    assert vfs.create(vfs.root, "x", 0o644, USER) == -E.EACCES    # / belongs to root, 0755
    tmp = vfs.mkdir(vfs.root, "tmp", 0o1777, ROOT)
    mine = vfs.create(tmp, "mine", 0o600, USER)
    assert isinstance(mine, MemFile) and mine.uid == 1000
    vfs.create(tmp, "roots", 0o644, ROOT)
    assert vfs.unlink(tmp, "roots", USER) == -E.EPERM            # the sticky bit
    assert vfs.unlink(tmp, "mine", USER) == 0


def test_an_unlinked_file_lives_while_used_and_then_frees_its_memory(host: Path) -> None:
    vfs = make_vfs(host)
    phys = vfs.phys
    free = phys.nr_free
    f = vfs.create(vfs.root, "f", 0o644, ROOT)
    assert f.write(0, b"x" * 10000) == 10000
    assert phys.nr_free == free - 3
    f.get()                                                       # a mapping
    assert vfs.unlink(vfs.root, "f", ROOT) == 0
    assert f.read(0, 5) == b"xxxxx" and phys.nr_free == free - 3
    f.put()
    assert phys.nr_free == free


def test_truncate_zeroes_the_tail_and_a_page_past_the_end_is_gone(host: Path) -> None:
    vfs = make_vfs(host)
    f = vfs.create(vfs.root, "f", 0o644, ROOT)
    f.write(0, b"a" * 5000)
    f.truncate(10)
    f.truncate(5000)
    assert f.read(0, 5000) == b"a" * 10 + bytes(4990)
    assert f.get_page(1) is not None and f.get_page(2) is None   # SIGBUS territory


def test_keep_copies_out_the_layer_only(host: Path, tmp_path: Path) -> None:
    vfs = make_vfs(host)
    etc = walk(vfs, "/etc").inode
    vfs.create(etc, "new", 0o640, ROOT).write(0, b"kept")
    d = vfs.mkdir(vfs.root, "dir", 0o755, ROOT)
    vfs.symlink(d, "ln", b"../etc/new", ROOT)
    vfs.unlink(walk(vfs, "/bin").inode, "tool", ROOT)
    out = tmp_path / "kept"
    out.mkdir()
    vfs.keep(str(out))
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == ["dir", "dir/ln", "etc", "etc/new"]
    assert (out / "etc" / "new").read_bytes() == b"kept"
    assert os.readlink(out / "dir" / "ln") == "../etc/new"
