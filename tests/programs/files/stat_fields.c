/* I2, issue 5 (newfstatat, fstat, statx): the stable fields. A regular file: type,
   permission bits, size (following writes and ftruncate), nlink 1, owner
   root; a symlink (lstat, AT_SYMLINK_NOFOLLOW): type link, size the length of
   its target, while stat follows it to the same inode as the target; a
   directory's type; /dev/null a character device 1:3; a pipe a FIFO with mode
   0600 and the same inode at both ends. fstatat with AT_EMPTY_PATH is fstat;
   an empty path without it is ENOENT. statx reports the basic stats in its
   mask, with the same values. Errors: ENOENT, ENOTDIR, EBADF. Inode numbers,
   block counts, directory sizes and times are the filesystem's own and are
   not printed; only compared. */
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include "files_util.h"

static const char *type(mode_t m)
{
    return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "symlink" : S_ISCHR(m) ? "chardev"
         : S_ISFIFO(m) ? "fifo" : S_ISBLK(m) ? "blockdev" : S_ISSOCK(m) ? "socket" : "?";
}

static void show(const char *label, int ret, const struct stat *sb)
{
    if (ret != 0) {
        printf("%s: %s\n", label, ename(errno));
        return;
    }
    printf("%s: %s %04o size %ld nlink %ld uid %d gid %d\n", label, type(sb->st_mode),
           (unsigned)(sb->st_mode & 07777), S_ISDIR(sb->st_mode) ? -1L : (long)sb->st_size,
           S_ISDIR(sb->st_mode) ? -1L : (long)sb->st_nlink, (int)sb->st_uid, (int)sb->st_gid);
}

/* the syscall itself: musl's statx falls back to fstatat on ENOSYS */
#define statx(dfd, path, flags, mask, stx) (int)syscall(SYS_statx, dfd, path, flags, mask, stx)
#define STAT(label, call) do { struct stat sb_; errno = 0; int r_ = (call); show(label, r_, &sb_); } while (0)

int main(void)
{
    enter_tmpdir();
    umask(022);
    put_file("f", "hello");
    symlink("f", "link");
    mkdir("d", 0750);
    int fd = open("f", O_RDWR);

    STAT("stat f", stat("f", &sb_));
    STAT("fstat f", fstat(fd, &sb_));
    write(fd, "0123456789", 10);
    STAT("after writing 10 bytes", fstat(fd, &sb_));
    ftruncate(fd, 3);
    STAT("after ftruncate 3", stat("f", &sb_));
    ftruncate(fd, 5000);
    STAT("after ftruncate 5000", stat("f", &sb_));
    fchmod(fd, 0604);
    STAT("after fchmod 0604", fstat(fd, &sb_));
    STAT("lstat link", lstat("link", &sb_));
    STAT("stat link", stat("link", &sb_));
    STAT("fstatat link AT_SYMLINK_NOFOLLOW", fstatat(AT_FDCWD, "link", &sb_, AT_SYMLINK_NOFOLLOW));
    STAT("stat d", stat("d", &sb_));
    struct stat a, b;
    stat("/dev/null", &a);
    printf("stat /dev/null: %s %04o, device %u:%u\n", type(a.st_mode), (unsigned)(a.st_mode & 07777),
           major(a.st_rdev), minor(a.st_rdev));
    stat("f", &a);
    stat("link", &b);
    printf("stat through the link is the target: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    fstat(fd, &b);
    printf("fstat of the open fd is the same file: %d\n", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
    lstat("link", &b);
    printf("lstat of the link is another inode: %d\n", a.st_ino != b.st_ino);

    int p[2];
    pipe(p);
    STAT("fstat of a pipe", fstat(p[0], &sb_));
    fstat(p[0], &a);
    fstat(p[1], &b);
    printf("  both ends one inode: %d\n", a.st_ino == b.st_ino);

    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    STAT("fstatat(fd, \"\", AT_EMPTY_PATH)", fstatat(fd, "", &sb_, AT_EMPTY_PATH));
    STAT("newfstatat(fd, \"\", 0)", (int)syscall(SYS_newfstatat, fd, "", &sb_, 0));
    STAT("fstatat(dirfd of d, \"../f\")", fstatat(dfd, "../f", &sb_, 0));
    STAT("stat of a missing file", stat("nope", &sb_));
    STAT("stat under a file", stat("f/x", &sb_));
    STAT("fstat of a closed fd", fstat(99, &sb_));

    struct statx sx;
    errno = 0;
    int r = statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx);
    printf("statx f: %s, basic stats in the mask %d, %s %04o size %llu nlink %u uid %u\n", ename(errno),
           (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS, type(sx.stx_mode), sx.stx_mode & 07777,
           (unsigned long long)sx.stx_size, sx.stx_nlink, sx.stx_uid);
    stat("f", &a);
    printf("  same inode as stat: %d\n", r == 0 && sx.stx_ino == a.st_ino);
    r = statx(AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx);
    printf("statx link AT_SYMLINK_NOFOLLOW: %d %s size %llu\n", r, type(sx.stx_mode), (unsigned long long)sx.stx_size);
    r = statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx);
    printf("statx(fd, \"\", AT_EMPTY_PATH): %d size %llu\n", r, (unsigned long long)sx.stx_size);
    errno = 0;
    r = statx(AT_FDCWD, "nope", 0, STATX_BASIC_STATS, &sx);
    printf("statx of a missing file: %d %s\n", r, ename(errno));
    leave_tmpdir();
    return 0;
}
