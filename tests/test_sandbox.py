"""Issue 5: nothing a simulated program does can create, change or delete a
host file. tests/sandbox/escape_attempts.c writes, creates, appends,
truncates, stores through MAP_SHARED, unlinks, renames, chmods, makes and
removes directories and symlinks in a host directory, and tries to leave a
`--root` directory (`..`, absolute paths, host symlinks pointing outside,
symlinks of its own). The test snapshots the host tree (names, types,
modes, contents, symlink targets, mtimes of files and directories) before
the run and requires it unchanged after, while the program's own view shows
every change it made: its stdout must be exactly what the host kernel gives
for the same program on a scratch copy of the tree (host mode) or in a
chroot of one (--root mode, with "/" as the cwd before the relative tries).

The interface, as the CLI will have it: `proclab run [--root DIR]
[--keep KEEP] PROG ARGS...`. PROG is found on the host as without --root
(here, the compiled binary in the cache); DIR becomes the simulated "/"
(read-only, with the in-memory layer on top); KEEP, a directory that does
not exist yet, receives a copy of the layer after the run, laid out as the
simulated root (a file the program made at /new.txt is KEEP/new.txt).
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import needs_host

from proclab.toolchain.compile import compile_c

SOURCE = Path(__file__).resolve().parent / "sandbox" / "escape_attempts.c"
OLD = 1_000_000_000  # an mtime in 2001: a rewrite of any file or directory changes it

# The program's view in both modes (musl's strerror texts).
COMMON = """\
write victim.txt: ok, reads back changed
create new.txt: ok, reads back created
append append.txt: ok, reads back old+more
truncate trunc.txt: ok, size 0
store into a MAP_SHARED mapping of mapped.txt: ok, reads back MAPPED file
pwrite and ftruncate victim.txt: ok, reads back CHang
unlink delete-me: ok, then <No such file or directory>
rename rename-me -> renamed: ok, renamed reads rename me, rename-me <No such file or directory>
chmod victim.txt 0600: ok, mode 0600
mkdir newdir and a file in it: ok ok, reads back in newdir
rmdir emptydir: ok, then gone
rename sub -> sub2: ok, sub2/inner.txt reads inner
unlink sub2/inner.txt: ok, then <No such file or directory>
symlink newlink -> victim.txt: ok, reads CHang
"""
HOST_MODE = COMMON + """\
read <outside>: secret
write <outside>: ok, reads back overwritten
append through escape-abs: ok, reads back overwritten+appended
write through a new symlink to <outside>: ok ok, reads back through own link
"""
ROOT_MODE = COMMON + """\
escape read ../../../../../../../..<outside> from the initial cwd: <No such file or directory>
escape read /../../../../../../..<outside>: <No such file or directory>
escape read /..<outside>: <No such file or directory>
escape read ../../../../../../../..<outside>: <No such file or directory>
escape read <outside>: <No such file or directory>
escape read escape-abs (host symlink, absolute): <No such file or directory>
escape read escape-rel (host symlink, ..): <No such file or directory>
escape write escape-abs: No such file or directory
escape write escape-rel: No such file or directory
escape read made-abs (own symlink, absolute): <No such file or directory>
escape read made-rel (own symlink, ..): <No such file or directory>
escape write made-abs: No such file or directory
escape cwd after chdir .. from /: /
escape openat(/, "../../..") is / again: 1
escape create <outside> within the root: ok, reads back inside the root
"""


def make_tree(base: Path) -> tuple[Path, Path]:
    """base/root (the directory the program attacks) and base/outside/secret.txt."""
    root, outside = base / "root", base / "outside"
    root.mkdir(parents=True)
    outside.mkdir()
    secret = outside / "secret.txt"
    secret.write_text("secret")
    for name, text in [("victim.txt", "original"), ("mapped.txt", "mapped file"), ("append.txt", "old"),
                       ("trunc.txt", "to be truncated"), ("delete-me", "delete me"), ("rename-me", "rename me")]:
        (root / name).write_text(text)
    (root / "emptydir").mkdir()
    (root / "sub").mkdir()
    (root / "sub" / "inner.txt").write_text("inner")
    (root / "escape-abs").symlink_to(secret)
    (root / "escape-rel").symlink_to("../outside/secret.txt")
    for path in [*base.rglob("*"), base]:
        os.utime(path, (OLD, OLD), follow_symlinks=False)
    return root, secret


def snapshot(base: Path) -> dict[str, tuple]:
    """Everything about the tree that a write, create, delete, rename, chmod
    or mkdir would change."""
    out = {}
    for path in sorted([base, *base.rglob("*")]):
        st = path.lstat()
        if stat.S_ISLNK(st.st_mode):
            what: object = os.readlink(path)
        elif stat.S_ISREG(st.st_mode):
            what = path.read_bytes()
        else:
            what = None
        out[str(path.relative_to(base))] = (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_size,
                                            st.st_mtime_ns, what)
    return out


def proclab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "proclab", "run", *args], capture_output=True, timeout=300)


@pytest.fixture(scope="module")
def binary() -> Path:
    return compile_c(SOURCE)


@needs_host
def test_the_expected_views_are_the_host_kernels(tmp_path: Path, binary: Path) -> None:
    """The texts above are what Linux gives: the program run natively on a
    scratch tree (which it really changes), and in a chroot of another one."""
    root, secret = make_tree(tmp_path / "host")
    res = subprocess.run([str(binary), str(root), str(secret), "host"], capture_output=True, timeout=60)
    assert (res.stdout.decode(), res.returncode) == (HOST_MODE, 0)
    if os.geteuid() != 0:
        pytest.skip("chroot needs root")
    root, secret = make_tree(tmp_path / "jail")
    shutil.copy(binary, root / "prog")

    def jail() -> None:
        os.chroot(root)
        os.chdir("/")

    res = subprocess.run(["/prog", "/", str(secret), "root"], capture_output=True, timeout=60, preexec_fn=jail)
    assert (res.stdout.decode(), res.returncode) == (ROOT_MODE, 0)


def test_host_files_stay_untouched_without_root(tmp_path: Path, binary: Path) -> None:
    root, secret = make_tree(tmp_path)
    before = snapshot(tmp_path)
    res = proclab(str(binary), str(root), str(secret), "host")
    assert snapshot(tmp_path) == before
    assert res.stdout.decode() == HOST_MODE, res.stderr.decode()
    assert res.returncode == 0


def test_a_root_cannot_be_left_and_its_files_stay_untouched(tmp_path: Path, binary: Path) -> None:
    root, secret = make_tree(tmp_path)
    before = snapshot(tmp_path)
    res = proclab("--root", str(root), str(binary), "/", str(secret), "root")
    assert snapshot(tmp_path) == before
    assert res.stdout.decode() == ROOT_MODE, res.stderr.decode()
    assert res.returncode == 0


def test_keep_copies_the_layer_out_and_nothing_else_changes(tmp_path: Path, binary: Path) -> None:
    root, secret = make_tree(tmp_path / "tree")
    before = snapshot(tmp_path / "tree")
    keep = tmp_path / "kept"
    res = proclab("--root", str(root), "--keep", str(keep), str(binary), "/", str(secret), "root")
    assert res.returncode == 0, res.stderr.decode()
    assert snapshot(tmp_path / "tree") == before
    assert (keep / "new.txt").read_text() == "created"
    assert (keep / "victim.txt").read_text() == "CHang"
    assert stat.S_IMODE((keep / "victim.txt").stat().st_mode) == 0o600
    assert (keep / "newdir" / "file").read_text() == "in newdir"
    assert (keep / "renamed").read_text() == "rename me"
    assert (keep / secret.relative_to("/")).read_text() == "inside the root"
