"""File types, modes and the *at() flags (include/uapi/linux/stat.h, fcntl.h)."""

S_IFMT = 0o170000
S_IFSOCK = 0o140000
S_IFLNK = 0o120000
S_IFREG = 0o100000
S_IFBLK = 0o060000
S_IFDIR = 0o040000
S_IFCHR = 0o020000
S_IFIFO = 0o010000
S_ISUID = 0o4000
S_ISGID = 0o2000
S_ISVTX = 0o1000
S_IRUGO, S_IWUGO, S_IXUGO = 0o444, 0o222, 0o111  # include/linux/stat.h

# getdents64's d_type (DT_*) by file type
DT_UNKNOWN, DT_FIFO, DT_CHR, DT_DIR, DT_BLK, DT_REG, DT_LNK, DT_SOCK = 0, 1, 2, 4, 6, 8, 10, 12


def dtype(mode: int) -> int:
    """The d_type of a mode (IFTODT)."""
    return (mode & S_IFMT) >> 12


AT_FDCWD = -100
AT_SYMLINK_NOFOLLOW = 0x100
AT_REMOVEDIR = 0x200
AT_EACCESS = 0x200          # faccessat: effective ids (same bit as AT_REMOVEDIR)
AT_SYMLINK_FOLLOW = 0x400
AT_NO_AUTOMOUNT = 0x800
AT_EMPTY_PATH = 0x1000
AT_STATX_SYNC_TYPE = 0x6000

# access() modes
F_OK, X_OK, W_OK, R_OK = 0, 1, 2, 4

# renameat2 flags
RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT = 1, 2, 4

# statx mask bits
STATX_TYPE, STATX_MODE, STATX_NLINK, STATX_UID, STATX_GID = 0x1, 0x2, 0x4, 0x8, 0x10
STATX_ATIME, STATX_MTIME, STATX_CTIME, STATX_INO, STATX_SIZE, STATX_BLOCKS = 0x20, 0x40, 0x80, 0x100, 0x200, 0x400
STATX_BASIC_STATS = 0x7FF
STATX_BTIME = 0x800

# lseek whence
SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE = 0, 1, 2, 3, 4

NAME_MAX = 255
PATH_MAX = 4096
MAXSYMLINKS = 40
