"""wait4/waitid options and id types (include/uapi/linux/wait.h)."""

WNOHANG = 0x00000001
WUNTRACED = 0x00000002
WSTOPPED = WUNTRACED
WEXITED = 0x00000004
WCONTINUED = 0x00000008
WNOWAIT = 0x01000000
# Linux spells these __WNOTHREAD, __WALL and __WCLONE; a leading double
# underscore would be name-mangled inside Python classes.
WNOTHREAD = 0x20000000
WALL = 0x40000000
WCLONE = 0x80000000

P_ALL, P_PID, P_PGID, P_PIDFD = 0, 1, 2, 3
