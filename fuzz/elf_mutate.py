"""The ELF mutator: seeded random changes to the ELF header, the program
headers and the segments of a small static binary (fuzz/elf_target.c), for
proclab's exec to load. A mutant may run, die of a signal or fail to exec
(ENOEXEC, EIO, ENOMEM...); it must never crash proclab itself.

    python fuzz/elf_mutate.py SEED [OUT]    # write the mutant (to OUT) and run it

fuzz/run.py runs ranges of seeds and classifies each run.
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
from pathlib import Path

from proclab.toolchain.compile import compile_c

TARGET = Path(__file__).resolve().parent / "elf_target.c"
EHDR_SIZE = 64
PHDR_SIZE = 56
# (offset, size) of the fields of Elf64_Ehdr and Elf64_Phdr.
EHDR_FIELDS = [(4, 1), (5, 1), (6, 1), (7, 1), (16, 2), (18, 2), (20, 4), (24, 8), (32, 8), (40, 8), (48, 4),
               (52, 2), (54, 2), (56, 2), (58, 2), (60, 2), (62, 2)]
PHDR_FIELDS = [(0, 4), (4, 4), (8, 8), (16, 8), (24, 8), (32, 8), (40, 8), (48, 8)]
PT_VALUES = [0, 1, 2, 3, 4, 6, 7, 0x6474E550, 0x6474E551, 0x6474E552, 0x6474E553, 0x70000000, 0xFFFFFFFF]


def build_target() -> bytes:
    """The unmutated binary (stripped, so that most of it is headers and code)."""
    return compile_c(TARGET, ["-O1", "-s"]).read_bytes()


def _boundary(rng: random.Random, old: int, size: int) -> int:
    """A value for a field of `size` bytes that was `old`."""
    top = (1 << (8 * size)) - 1
    choices = [0, 1, top, top >> 1, (top >> 1) + 1, old + 1, old - 1, old ^ (1 << rng.randrange(8 * size)),
               old + 0x1000, old - 0x1000, old | 0xFFF, 0x1000, 0xFFF, 1 << 47, (1 << 47) - 0x1000,
               0xFFFF800000000000, old * 2, old >> 1, rng.getrandbits(8 * size)]
    return rng.choice(choices) & top


def _set(image: bytearray, offset: int, size: int, value: int) -> None:
    if offset + size <= len(image):
        image[offset:offset + size] = value.to_bytes(size, "little")


def _get(image: bytes, offset: int, size: int) -> int:
    return int.from_bytes(image[offset:offset + size], "little") if offset + size <= len(image) else 0


def mutate(original: bytes, seed: int) -> bytes:
    """1 to 4 seeded changes: header fields, program header fields (or a
    whole program header's type), bytes of a segment, or the file's length."""
    rng = random.Random(seed)
    image = bytearray(original)
    phoff, phnum = _get(original, 32, 8), _get(original, 56, 2)
    loads = [(_get(original, phoff + i * PHDR_SIZE + 8, 8), _get(original, phoff + i * PHDR_SIZE + 32, 8))
             for i in range(phnum) if _get(original, phoff + i * PHDR_SIZE, 4) == 1]
    for _ in range(rng.randint(1, 4)):
        where = rng.random()
        if where < 0.3:
            offset, size = rng.choice(EHDR_FIELDS)
            _set(image, offset, size, _boundary(rng, _get(image, offset, size), size))
        elif where < 0.75:
            base = phoff + rng.randrange(max(phnum, 1)) * PHDR_SIZE
            offset, size = rng.choice(PHDR_FIELDS)
            value = rng.choice(PT_VALUES) if offset == 0 and rng.random() < 0.5 else \
                _boundary(rng, _get(image, base + offset, size), size)
            _set(image, base + offset, size, value)
        elif where < 0.95 and loads:
            start, length = rng.choice(loads)
            for _ in range(rng.randint(1, 16)):
                at = start + rng.randrange(max(length, 1))
                if at < len(image):
                    image[at] = rng.getrandbits(8)
        elif rng.random() < 0.5:
            del image[rng.randrange(len(image)):]
        else:
            image += bytes(rng.getrandbits(8) for _ in range(rng.randrange(1, 4096)))
    return bytes(image)


def write_mutant(original: bytes, seed: int, out: Path) -> None:
    out.write_bytes(mutate(original, seed))
    out.chmod(0o755)


def main(argv: list[str]) -> int:
    if not argv or not argv[0].lstrip("-").isdigit():
        print("usage: python fuzz/elf_mutate.py SEED [OUT]", file=sys.stderr)
        return 2
    seed = int(argv[0])
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(argv[1]) if len(argv) > 1 else Path(scratch) / "mutant"
        write_mutant(build_target(), seed, out)
        return subprocess.run([sys.executable, "-m", "proclab", "run", "--max-time", "30", "--max-cpu", "5",
                               str(out)], cwd=scratch).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
