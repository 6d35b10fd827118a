"""proclab: Linux process management implemented in Python, running real
static x86-64 programs on the Unicorn CPU emulator."""

__version__ = "0.1.0"
