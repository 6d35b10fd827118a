"""Memory management (mm/): frames, address spaces, page faults, copy-on-write, and the memory system calls."""
