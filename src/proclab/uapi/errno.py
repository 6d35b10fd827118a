"""errno values (include/uapi/asm-generic/errno-base.h, errno.h). Syscall handlers
return -errno; `ERESTART*` never reach user space."""

EPERM = 1
ENOENT = 2
ESRCH = 3
EINTR = 4
EIO = 5
ENXIO = 6
E2BIG = 7
ENOEXEC = 8
EBADF = 9
ECHILD = 10
EAGAIN = 11
ENOMEM = 12
EACCES = 13
EFAULT = 14
EBUSY = 16
EEXIST = 17
EXDEV = 18
ENODEV = 19
ENOTDIR = 20
EISDIR = 21
EINVAL = 22
ENFILE = 23
EMFILE = 24
ENOTTY = 25
ETXTBSY = 26
EFBIG = 27
ENOSPC = 28
ESPIPE = 29
EROFS = 30
EMLINK = 31
EPIPE = 32
EDOM = 33
ERANGE = 34
EDEADLK = 35
ENAMETOOLONG = 36
ENOSYS = 38
ENOTEMPTY = 39
ELOOP = 40
ENOMSG = 42
EIDRM = 43
ENODATA = 61
EOVERFLOW = 75
ELIBBAD = 80
ENOTSOCK = 88
EMSGSIZE = 90
EOPNOTSUPP = 95
EAFNOSUPPORT = 97
ETIMEDOUT = 110

# Kernel-internal: a syscall interrupted by a signal (include/linux/errno.h).
ERESTARTSYS = 512
ERESTARTNOINTR = 513
ERESTARTNOHAND = 514
ERESTART_RESTARTBLOCK = 516

NAMES = {v: k for k, v in list(globals().items()) if k.isupper() and isinstance(v, int)}
