"""System V shared memory (ipc/shm.c): shmget, shmat, shmdt, shmctl.

A segment owns a shared-memory object (the SharedAnon of mm/filemap.py, what
shmem_kernel_file_setup gives Linux) that holds its frames. Attaching maps
the segment's ShmFile (Linux's shm_file_data with shm_vm_ops) as a MAP_SHARED
VMA, so the pages are the same frames in every process and stay shared across
fork like any shared mapping. Every VMA of the segment is one attach: the
VmArea protocol's get/put (vma open on mmap, fork and split; close on munmap,
exec and exit) are shm_open/shm_close, which count shm_nattch. A segment lives
until IPC_RMID *and* its last detach (SHM_DEST), its key freed at IPC_RMID.

Difference from Linux: the times are whole seconds of the virtual real-time
clock; shmctl knows IPC_INFO, SHM_INFO, IPC_STAT, IPC_SET and IPC_RMID
(SHM_STAT and SHM_LOCK answer EINVAL).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from ..arch.x86_64.pgtable import PAGE_MASK, PAGE_SHIFT, PAGE_SIZE, page_align
from ..mm import mmap as mmap_ops
from ..mm.filemap import AddressSpace, SharedAnon
from ..uapi import errno as E
from ..uapi import mman as M
from ..uapi.ipc import (
    IPC_INFO,
    IPC_RMID,
    IPC_SET,
    IPC_STAT,
    SHM_DEST,
    SHM_INFO,
    SHM_INFO_S,
    SHM_EXEC,
    SHM_RDONLY,
    SHM_REMAP,
    SHM_RND,
    SHMALL,
    SHMID64_DS,
    SHMINFO64,
    SHMLBA,
    SHMMAX,
    SHMMIN,
    SHMMNI,
    SHMSEG,
)
from ..uapi.stat import S_IRUGO, S_IWUGO, S_IXUGO
from ..kernel.task import Cred, TaskStruct
from .util import IpcIds, KernIpcPerm, ipc_update_perm, ipcget, ipcperms, may_change

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel


# The header of /proc/sysvipc/shm as shm_init() declares it (BITS_PER_LONG 64).
SYSVIPC_SHM_HEADER = ("       key      shmid perms                  size  cpid  lpid nattch   uid   gid  cuid  cgid"
                      "      atime      dtime      ctime                   rss                  swap\n")


class ShmidKernel(KernIpcPerm):
    """struct shmid_kernel. Written by the shm syscalls and by shm_open /
    shm_close (nattch, atime, dtime, lprid) as VMAs come and go."""

    def __init__(self, key: int, shmflg: int, cred: Cred, size: int, shm_file: SharedAnon,
                 cpid: int, now: int) -> None:
        super().__init__(key, shmflg, cred)
        self.segsz = size
        self.shm_file = shm_file        # holds the frames; its first reference is ours
        self.file = ShmFile(self)       # what attaches map
        self.atime = self.dtime = 0
        self.ctime = now
        self.cprid = cpid
        self.lprid = 0
        self.nattch = 0


def sysvipc_shm_proc_show(shp: ShmidKernel) -> str:
    """sysvipc_shm_proc_show(): one line of /proc/sysvipc/shm, with Linux's
    format for a 64-bit kernel ("%10d %10d  %4o %21lu %5u %5u  %5lu %5u %5u
    %5u %5u %10llu %10llu %10llu %21lu %21lu"). The resident size is the
    segment's pages present in memory (shm_add_rss_swap); nothing is ever
    swapped out."""
    rss = len(shp.shm_file.pages) * PAGE_SIZE
    return (f"{shp.key:10d} {shp.id:10d}  {shp.mode:4o} {shp.segsz:21d} {shp.cprid:5d} {shp.lprid:5d}  "
            f"{shp.nattch:5d} {shp.uid:5d} {shp.gid:5d} {shp.cuid:5d} {shp.cgid:5d} {shp.atime:10d} "
            f"{shp.dtime:10d} {shp.ctime:10d} {rss:21d} {0:21d}\n")


class ShmFile(AddressSpace):
    """The mapped object of a segment (shm_file_data, shm_vm_ops): pages come
    from the segment's shared memory; a VMA taking or dropping it is an
    attach or a detach."""

    def __init__(self, shp: ShmidKernel) -> None:
        super().__init__()
        self.shp = shp
        self.shm: Optional[Shm] = None  # set by newseg: the subsystem that counts attaches

    def get_page(self, pgoff: int) -> Optional[tuple[int, bool]]:
        return self.shp.shm_file.get_page(pgoff)

    def get(self) -> None:
        assert self.shm is not None
        self.shm.shm_open(self.shp)

    def put(self) -> None:
        assert self.shm is not None
        self.shm.shm_close(self.shp)


class Shm:
    """The shm ids of the (single) IPC namespace and the shm syscalls."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.ids: IpcIds[ShmidKernel] = IpcIds()
        self.shm_tot = 0                # pages of all segments (ns->shm_tot)

    # ---- creation -----------------------------------------------------------------

    def newseg(self, t: TaskStruct, key: int, shmflg: int, size: int) -> int:
        """newseg(): a segment of `size` bytes (EINVAL out of [SHMMIN, SHMMAX],
        ENOSPC past SHMALL pages)."""
        if size < SHMMIN or size > SHMMAX:
            return -E.EINVAL
        numpages = page_align(size) >> PAGE_SHIFT
        if self.shm_tot + numpages > SHMALL:
            return -E.ENOSPC
        shp = ShmidKernel(key, shmflg, t.cred, size, SharedAnon(self.k.phys), t.tgid, self.k.clock.real_seconds())
        shp.file.shm = self
        err = self.ids.ipc_addid(shp)
        if err < 0:
            shp.shm_file.put()
            return err
        self.shm_tot += numpages
        return shp.id

    def sys_shmget(self, t: TaskStruct, key: int, size: int, shmflg: int) -> int:
        def more_checks(shp: ShmidKernel) -> int:
            return -E.EINVAL if shp.segsz < size else 0  # shm_more_checks

        return ipcget(self.ids, t.cred, key, shmflg, lambda: self.newseg(t, key, shmflg, size), more_checks)

    # ---- attaches -----------------------------------------------------------------

    def shm_open(self, shp: ShmidKernel) -> None:
        """A VMA of the segment appears (shmat, fork, a split): one attach more."""
        shp.atime = self.k.clock.real_seconds()
        shp.lprid = self.k.current().tgid
        shp.nattch += 1

    def shm_close(self, shp: ShmidKernel) -> None:
        """A VMA of the segment goes (shmdt, munmap, exec, exit): one attach
        less; the last one destroys a segment marked SHM_DEST."""
        shp.lprid = self.k.current().tgid
        shp.dtime = self.k.clock.real_seconds()
        shp.nattch -= 1
        if shp.nattch == 0 and shp.mode & SHM_DEST:
            self.shm_destroy(shp)

    def shm_destroy(self, shp: ShmidKernel) -> None:
        """shm_destroy(): out of the table, its frames freed."""
        self.shm_tot -= page_align(shp.segsz) >> PAGE_SHIFT
        self.ids.ipc_rmid(shp)
        shp.shm_file.put()

    def do_shmat(self, t: TaskStruct, shmid: int, shmaddr: int, shmflg: int) -> int:
        """do_shmat(): map the segment at `shmaddr` (rounded down with
        SHM_RND, else it must be SHMLBA aligned) or where the kernel finds
        room; read-only with SHM_RDONLY. Returns the address or an errno:
        the attach counts against RLIMIT_AS (and, with mlockall(MCL_FUTURE),
        RLIMIT_MEMLOCK) as any mmap does (ENOMEM, EAGAIN)."""
        if shmid < 0:
            return -E.EINVAL
        flags = M.MAP_SHARED
        addr = shmaddr
        if addr:
            if addr & (SHMLBA - 1):
                if not shmflg & SHM_RND:
                    return -E.EINVAL
                addr &= ~(SHMLBA - 1)
                if not addr and shmflg & SHM_REMAP:
                    return -E.EINVAL
            flags |= M.MAP_FIXED
        elif shmflg & SHM_REMAP:
            return -E.EINVAL
        if shmflg & SHM_RDONLY:
            prot, acc_mode = M.PROT_READ, S_IRUGO
        else:
            prot, acc_mode = M.PROT_READ | M.PROT_WRITE, S_IRUGO | S_IWUGO
        if shmflg & SHM_EXEC:
            prot |= M.PROT_EXEC
            acc_mode |= S_IXUGO
        shp = self.ids.ipc_obtain_object_check(shmid)
        if shp is None:
            return -E.EINVAL
        if not ipcperms(t.cred, shp, acc_mode):
            return -E.EACCES
        size = shp.segsz
        mm = t.mm
        if addr and not shmflg & SHM_REMAP and mm.overlapping(addr, addr + page_align(size)):
            return -E.EINVAL
        return mmap_ops.do_mmap(mm, addr, size, prot, flags, shp.file, 0, f"/SYSV{shp.key & 0xFFFFFFFF:08x}",
                                may_write=not shmflg & SHM_RDONLY, lim=mmap_ops.vm_limits(t, self.k.warn_once))

    def sys_shmat(self, t: TaskStruct, shmid: int, shmaddr: int, shmflg: int) -> int:
        return self.do_shmat(t, shmid, shmaddr, shmflg)

    def sys_shmdt(self, t: TaskStruct, shmaddr: int) -> int:
        """ksys_shmdt(): unmap the attach that starts at `shmaddr`: the first
        segment VMA at or above it whose page offset matches its distance
        from `shmaddr`, then the other pieces of that attach within the
        segment's size. EINVAL when there is none."""
        if shmaddr & ~PAGE_MASK:
            return -E.EINVAL
        mm = t.mm
        found: Optional[ShmFile] = None
        for vma in list(mm.overlapping(shmaddr, 1 << 47)):
            if isinstance(vma.file, ShmFile) and (vma.start - shmaddr) // PAGE_SIZE == vma.pgoff:
                if found is None:
                    found = vma.file
                    limit = page_align(found.shp.segsz)
                    mmap_ops.do_munmap(mm, vma.start, vma.end - vma.start)
                elif vma.end - shmaddr <= limit and vma.file is found:
                    mmap_ops.do_munmap(mm, vma.start, vma.end - vma.start)
            if found is not None and vma.end - shmaddr > limit:
                break
        return 0 if found is not None else -E.EINVAL

    # ---- control ------------------------------------------------------------------

    def sys_shmctl(self, t: TaskStruct, shmid: int, cmd: int, buf: int) -> int:
        """shmctl(): IPC_INFO and SHM_INFO (the limits, the usage), IPC_STAT
        (EACCES without read permission), IPC_SET and IPC_RMID (EPERM unless
        owner, creator or root)."""
        if cmd < 0 or shmid < 0:
            return -E.EINVAL
        if cmd in (IPC_INFO, SHM_INFO):
            return self.shmctl_info(t, cmd, buf)
        if cmd not in (IPC_STAT, IPC_SET, IPC_RMID):
            return -E.EINVAL
        set_ds = None
        if cmd == IPC_SET:
            set_ds = self.k.uaccess.copy_from_user(t, buf, SHMID64_DS.size)
            if set_ds is None:
                return -E.EFAULT
        shp = self.ids.ipc_obtain_object_check(shmid)
        if shp is None:
            return -E.EINVAL
        if cmd == IPC_STAT:
            if not ipcperms(t.cred, shp, S_IRUGO):
                return -E.EACCES
            data = SHMID64_DS.pack(shp.pack(), shp.segsz, shp.atime, shp.dtime, shp.ctime,
                                   shp.cprid, shp.lprid, shp.nattch, 0, 0)
            return 0 if self.k.uaccess.copy_to_user(t, buf, data) else -E.EFAULT
        if not may_change(t.cred, shp):
            return -E.EPERM
        if set_ds is not None:
            perm = set_ds[:48]
            uid, gid, mode = int.from_bytes(perm[4:8], "little"), int.from_bytes(perm[8:12], "little"), \
                int.from_bytes(perm[20:24], "little")
            ipc_update_perm(shp, uid, gid, mode)
            shp.ctime = self.k.clock.real_seconds()
            return 0
        self.do_shm_rmid(shp)
        return 0

    def shmctl_info(self, t: TaskStruct, cmd: int, buf: int) -> int:
        """shmctl_ipc_info() / shmctl_shm_info(): struct shminfo64 with the
        limits, or struct shm_info with the segments in use, the pages of
        all segments and those resident. Returns the highest index in use
        (0 when none)."""
        if cmd == IPC_INFO:
            data = SHMINFO64.pack(SHMMAX, SHMMIN, SHMMNI, SHMSEG, SHMALL, 0, 0, 0, 0)
        else:
            segs = self.ids.in_use()
            data = SHM_INFO_S.pack(len(segs), self.shm_tot, sum(len(shp.shm_file.pages) for shp in segs), 0, 0, 0)
        if not self.k.uaccess.copy_to_user(t, buf, data):
            return -E.EFAULT
        return max(self.ids.ipc_get_maxidx(), 0)

    def do_shm_rmid(self, shp: ShmidKernel) -> None:
        """IPC_RMID: the key is free at once; the segment goes now, or with
        its last detach (SHM_DEST)."""
        if shp.nattch:
            shp.mode |= SHM_DEST
            self.ids.ipc_set_key_private(shp)
        else:
            self.shm_destroy(shp)
