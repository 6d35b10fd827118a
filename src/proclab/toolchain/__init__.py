"""From what the user names to a static x86-64 ELF: compiling C with the zig
compiler that the ziglang wheel ships, and checking prebuilt binaries."""
