"""/sys (fs/sysfs/, drivers/base/cpu.c, drivers/base/core.c): the simulated
machine's CPUs under /sys/devices/system/cpu, where programs count them --
glibc's get_nprocs() and sysconf(_SC_NPROCESSORS_ONLN) read `online`,
get_nprocs_conf() counts the cpuN directories.

That is all this /sys holds: the rest of the host's /sys describes the host's
kernel and stays hidden, as the whole of it was before (/sys is a mount point
over the host's directory, like /proc). In cpu/: online, possible and present
(every CPU: none is ever hot-plugged), offline (none), kernel_max (NR_CPUS - 1)
and one cpuN directory per CPU, which holds `online` (drivers/base/core.c
online_show) except for cpu0, which x86 cannot take offline. Nothing is
writable: CPU hotplug is not simulated.

The CPU masks print as Linux's %*pb and %*pbl do (lib/vsprintf.c
bitmap_string, bitmap_list_string), here and in /proc/PID/status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Optional

from .inode import Inode, SuperBlock
from .pseudo import PseudoDir, PseudoFile
from ..kernel.task import CPU_MASK_ALL

if TYPE_CHECKING:  # pragma: no cover
    from ..kernel.kernel import Kernel

SYSFS_MAGIC = 0x62656572
SYSFS_DEV = 0x15
Makers = dict[str, Callable[[], Inode]]  # a directory's names, each with what makes its inode
NR_CPUS = CPU_MASK_ALL.bit_length()  # the most CPUs a machine may have (--cpus)
SYSFS_ATTR_SIZE = 4096               # what stat reports for an attribute (kernfs: PAGE_SIZE)
BITMAP_CHUNK = 32                    # %*pb prints 32 bits per comma-separated group


def bitmap_string(mask: int, nbits: int) -> str:
    """%*pb (bitmap_string()): the low `nbits` bits of `mask` in hex, most
    significant first, in comma-separated groups of 32 bits; the first group
    is as wide as its bits need ("3" for 2 bits, "ff,ffffffff" for 40)."""
    groups = []
    first = nbits % BITMAP_CHUNK or BITMAP_CHUNK
    for low in range((nbits - 1) // BITMAP_CHUNK * BITMAP_CHUNK, -1, -BITMAP_CHUNK):
        width = first if not groups else BITMAP_CHUNK
        groups.append(f"{mask >> low & ((1 << width) - 1):0{(width + 3) // 4}x}")
    return ",".join(groups)


def bitmap_list_string(mask: int, nbits: int) -> str:
    """%*pbl (bitmap_list_string()): the set bits below `nbits` as a list of
    decimal ranges ("0-3,5"); empty when none is set."""
    ranges = []
    bit = 0
    while bit < nbits:
        if mask >> bit & 1:
            end = bit
            while end + 1 < nbits and mask >> (end + 1) & 1:
                end += 1
            ranges.append(f"{bit}-{end}" if end > bit else f"{bit}")
            bit = end
        bit += 1
    return ",".join(ranges)


class SysfsAttr(PseudoFile):
    """A sysfs attribute (kernfs_file): text made when read, read-only, of the
    size kernfs reports whatever it holds, and no blocks on any disk."""

    @property
    def size(self) -> int:
        return SYSFS_ATTR_SIZE

    def blocks(self) -> int:
        return 0


class SysFs:
    """The sysfs of kernel `k`: `sb`, and `root`, the directory mounted at
    /sys. The CPUs are counted when a file is read (len(k.sched.rqs))."""

    def __init__(self, k: Kernel) -> None:
        self.k = k
        self.sb = SuperBlock(k.vfs.sb.now, dev=SYSFS_DEV, magic=SYSFS_MAGIC)

        def system() -> PseudoDir:
            return self._dir("system", lambda: {"cpu": self._cpu_dir})

        def devices() -> PseudoDir:
            return self._dir("devices", lambda: {"system": system})

        self.root = self._dir("sys", lambda: {"devices": devices}, 0o555)

    def _dir(self, name: str, entries: Callable[[], Makers], perm: int = 0o755) -> PseudoDir:
        """A kernfs directory listing `entries()` in their order; looking a
        name up makes its inode."""
        def find(n: str) -> Optional[Inode]:
            make = entries().get(n)
            return make() if make is not None else None

        d = PseudoDir(self.sb, perm, None, name, lambda: list(entries()), find)
        d.st_size = 0
        return d

    def _attr(self, text: Callable[[], str]) -> SysfsAttr:
        return SysfsAttr(self.sb, 0o444, lambda: text().encode())

    def nr_cpu_ids(self) -> int:
        """The machine's CPUs, all of them possible, present and online."""
        return len(self.k.sched.rqs)

    def cpu_mask_list(self) -> str:
        """print_cpus_func(): the CPU list of cpu_online_mask (= possible = present)."""
        n = self.nr_cpu_ids()
        return bitmap_list_string((1 << n) - 1, n) + "\n"

    def _cpu_dir(self) -> PseudoDir:
        """/sys/devices/system/cpu (cpu_root_attrs, register_cpu())."""
        def entries() -> Makers:
            out: Makers = {
                f"cpu{cpu}": (lambda cpu=cpu: self._dir(f"cpu{cpu}", lambda: self._one_cpu(cpu)))
                for cpu in range(self.nr_cpu_ids())}
            out["kernel_max"] = lambda: self._attr(lambda: f"{NR_CPUS - 1}\n")
            out["offline"] = lambda: self._attr(lambda: "\n")
            for name in ("online", "possible", "present"):
                out[name] = lambda: self._attr(self.cpu_mask_list)
            return out

        return self._dir("cpu", entries)

    def _one_cpu(self, cpu: int) -> Makers:
        """/sys/devices/system/cpu/cpuN: `online` ("1") where the CPU could be
        taken offline (not cpu0)."""
        return {"online": lambda: self._attr(lambda: "1\n")} if cpu else {}
