"""The source tree mirrors Linux's (issue 11, ../shared/DESIGN.md): each
behaviour sits where Linux keeps it, no module name is used twice, nothing
imports in a circle, and docs/ARCHITECTURE.md names every module."""

from __future__ import annotations

import ast
import collections
from pathlib import Path

import pytest

from proclab.kernel.kernel import Kernel
from proclab.arch.x86_64.syscall_64 import syscall_entries

PKG = Path(__file__).resolve().parent.parent / "src" / "proclab"
SUBSYSTEMS = ("kernel", "fs", "mm", "ipc", "net")


def modules() -> dict[str, Path]:
    """Dotted name -> file, for every module of the package."""
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def test_no_module_name_twice_across_subsystems() -> None:
    seen = collections.defaultdict(list)
    for name, path in modules().items():
        rel = path.relative_to(PKG)
        if rel.parts[0] in SUBSYSTEMS and path.name != "__init__.py":
            seen[path.stem].append(str(rel))
    assert {stem: where for stem, where in seen.items() if len(where) > 1} == {}


def test_kernel_top_holds_at_most_26_modules() -> None:
    top = [p for p in (PKG / "kernel").glob("*.py") if p.name != "__init__.py"]
    assert 0 < len(top) <= 26, sorted(p.name for p in top)


def _import_time_targets(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The modules `name` imports while it is imported: statements at module
    level (also under if/try), not those under `if TYPE_CHECKING:` nor inside
    functions or classes."""
    is_pkg = path.name == "__init__.py"
    package = name if is_pkg else name.rpartition(".")[0]
    found: set[str] = set()

    def add(target: str) -> None:
        # importing a.b.c imports a, a.b and a.b.c
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            prefix = ".".join(parts[:i])
            if prefix in known and prefix != name:
                found.add(prefix)

    def visit(stmts: list[ast.stmt]) -> None:
        for node in stmts:
            if isinstance(node, ast.If):
                test = node.test
                if isinstance(test, ast.Name) and test.id == "TYPE_CHECKING":
                    visit(node.orelse)
                    continue
                visit(node.body)
                visit(node.orelse)
            elif isinstance(node, ast.Try):
                for block in (node.body, node.orelse, node.finalbody, *(h.body for h in node.handlers)):
                    visit(block)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    add(alias.name)
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = package.split(".")[: len(package.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                add(target)
                for alias in node.names:
                    add(f"{target}.{alias.name}")

    visit(ast.parse(path.read_text()).body)
    return found


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Import cycles: paths that come back to where they started. A package's
    __init__ runs before its submodules, so package -> own submodule is not
    an edge back."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def dfs(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt.startswith(node + "."):
                continue
            if state.get(nxt) == 1:
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                dfs(nxt, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            dfs(name, [])
    return cycles


def test_no_import_cycle_at_import_time() -> None:
    known = modules()
    graph = {name: _import_time_targets(name, path, known) for name, path in known.items()}
    assert find_cycles(graph) == []


def test_the_cycle_check_sees_a_cycle(tmp_path: Path) -> None:
    """The checker itself: a module-level import closes a cycle; the same
    import under TYPE_CHECKING or inside a function does not."""
    init, a, b, c = (tmp_path / n for n in ("__init__.py", "a.py", "b.py", "c.py"))
    init.write_text("")
    a.write_text("from .b import x\n")
    b.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import y\n"
                 "def f():\n    from .a import z\n")
    c.write_text("from . import a\n")
    known = {"p": init, "p.a": a, "p.b": b, "p.c": c}
    graph = {name: _import_time_targets(name, path, known) for name, path in known.items()}
    assert graph == {"p": set(), "p.a": {"p", "p.b"}, "p.b": set(), "p.c": {"p", "p.a"}}
    assert find_cycles(graph) == []
    b.write_text("try:\n    from .c import w\nexcept ImportError:\n    pass\n")
    graph["p.b"] = _import_time_targets("p.b", b, known)
    assert find_cycles(graph) == [["p.a", "p.b", "p.c", "p.a"]]


# Where Linux defines each system call (SYSCALL_DEFINE in that directory)
LINUX_HOME = {
    "fs": ("read", "write", "readv", "writev", "pread64", "pwrite64", "lseek", "open", "openat",
           "creat", "close", "close_range", "dup", "dup2", "dup3", "fcntl", "ioctl", "pipe", "pipe2",
           "flock", "copy_file_range", "access", "faccessat", "chdir", "fchdir", "chroot", "getcwd",
           "mkdir", "mkdirat", "mknod", "mknodat", "rmdir", "unlink", "unlinkat", "rename",
           "renameat2", "link", "linkat", "symlink", "symlinkat", "readlink", "readlinkat",
           "truncate", "ftruncate", "chmod", "fchmod", "fchmodat", "chown", "fchown", "fchownat",
           "utimensat", "stat", "lstat", "fstat", "newfstatat", "statx", "getdents64", "statfs",
           "fstatfs", "fsync", "sync", "poll", "ppoll", "select", "pselect6", "epoll_create1",
           "epoll_ctl", "epoll_wait", "epoll_pwait", "epoll_pwait2", "getxattr", "setxattr",
           "listxattr", "removexattr"),
    "mm": ("brk", "mmap", "munmap", "mprotect", "mremap", "msync", "madvise", "mincore", "fadvise64"),
    "ipc": ("shmget", "shmat", "shmdt", "shmctl", "semget", "semop", "semtimedop", "semctl",
            "msgget", "msgsnd", "msgrcv", "msgctl"),
    "net": ("socket", "socketpair"),
    "kernel": ("fork", "vfork", "clone", "clone3", "execve", "exit", "exit_group", "wait4",
               "waitid", "kill", "tgkill", "rt_sigaction", "rt_sigprocmask", "pause", "getpid",
               "setpgid", "setsid", "prctl", "getrlimit", "setuid", "futex", "alarm", "setitimer",
               "timer_create", "clock_gettime", "nanosleep", "sched_yield", "getpriority"),
}


@pytest.fixture(scope="module")
def handlers() -> dict[str, str]:
    return {name: fn.__module__ for name, fn, _spec in syscall_entries(Kernel())}


@pytest.mark.parametrize("home", sorted(LINUX_HOME))
def test_each_syscall_lives_where_linux_keeps_it(handlers: dict[str, str], home: str) -> None:
    misplaced = {name: handlers[name] for name in LINUX_HOME[home]
                 if not handlers[name].startswith(f"proclab.{home}.")}
    assert misplaced == {}


def test_architecture_map_names_every_module() -> None:
    doc = (PKG.parent.parent / "docs" / "ARCHITECTURE.md").read_text()
    missing = [str(path.relative_to(PKG)) for path in modules().values()
               if path.name != "__init__.py" and str(path.relative_to(PKG)) not in doc]
    assert missing == []
