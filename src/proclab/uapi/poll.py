"""poll(2) event bits (include/uapi/asm-generic/poll.h). On x86-64 the
user-space values are the kernel's (mangle_poll/demangle_poll are the
identity)."""

POLLIN = 0x0001
POLLPRI = 0x0002
POLLOUT = 0x0004
POLLERR = 0x0008
POLLHUP = 0x0010
POLLNVAL = 0x0020
POLLRDNORM = 0x0040
POLLRDBAND = 0x0080
POLLWRNORM = 0x0100
POLLWRBAND = 0x0200
