"""Memory management: frames, address spaces, page faults, copy-on-write."""
