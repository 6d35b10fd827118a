"""Making /proc entries (fs/proc/generic.c: proc_create_single, proc_mkdir):
a file whose text a function computes each time it is read, and a directory
of fixed names whose inodes are made when they are looked up. The other
fs/proc modules build their trees from these two; fs/pseudo.py provides the
inodes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from ..inode import Inode
from ..pseudo import PseudoDir, PseudoFile

if TYPE_CHECKING:  # pragma: no cover
    from ..inode import SuperBlock
    from ...kernel.task import TaskStruct

Show = Callable[[], bytes]
Entries = dict[str, Callable[[], Inode]]


def proc_file(sb: SuperBlock, show: Show, perm: int = 0o444, store: Optional[Callable[[bytes], int]] = None,
              owner: Optional[TaskStruct] = None) -> PseudoFile:
    """proc_create_single(): a file of `sb` showing `show()`, accepting
    writes through `store` if given, owned by `owner`'s effective ids (root
    without one)."""
    uid, gid = (owner.cred.euid, owner.cred.egid) if owner is not None else (0, 0)
    return PseudoFile(sb, perm, show, store, uid, gid)


def proc_mkdir(sb: SuperBlock, name: str, entries: Entries) -> PseudoDir:
    """proc_mkdir(): a directory of `sb` listing `entries` in their order;
    looking a name up makes its inode."""
    return PseudoDir(sb, 0o555, None, name, lambda: list(entries),
                     lambda n: entries[n]() if n in entries else None)
