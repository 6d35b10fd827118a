"""The user/kernel ABI as numbers (Linux's include/uapi): errno values, signal
numbers, clone flags, wait options, mmap flags, prctl options, rlimits.

Everything here is data; any layer may import it."""
