/* Issue 15: which reads are accesses (file_accessed(), touch_atime()) on a
   filesystem mounted relatime (the host's /tmp; proclab's writable layer
   behaves as one): read(), pread() and readv() of a regular file, also at
   its end; getdents of a directory; readlink of a symlink, and following it. Each moves atime
   only when atime is not newer than mtime or ctime (or is a day old);
   never with O_NOATIME, never a read of 0 bytes, never write() or stat().
   Only relations between stat() results are printed, never times. */
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include "files_util.h"

static struct stat before;

static int same(struct timespec a, struct timespec b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }
static const char *yes(int c) { return c ? "yes" : "no"; }

/* atime and mtime far in the past, so that the next access moves atime;
   then a pause so that "now" is clearly later than the ctime they leave */
static void age(const char *name)
{
    struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
    utimensat(AT_FDCWD, name, ts, AT_SYMLINK_NOFOLLOW);
    usleep(30000);
}

static void mark(const char *name)
{
    lstat(name, &before);
    usleep(30000);
}

static void changed(const char *what, const char *name)
{
    struct stat now;
    lstat(name, &now);
    printf("%-42s atime changed: %s\n", what, yes(!same(now.st_atim, before.st_atim)));
    before = now;
    usleep(30000);
}

int main(void)
{
    enter_tmpdir();
    put_file("f", "0123456789");
    char buf[64];
    int fd = open("f", O_RDWR);

    age("f");
    mark("f");
    SHOW("read 4", read(fd, buf, 4));
    changed("read, atime older than mtime", "f");
    SHOW("read 4", read(fd, buf, 4));
    changed("read again, atime newer than mtime", "f");
    age("f");
    mark("f");
    SHOW("read 0 bytes", read(fd, buf, 0));
    changed("read of 0 bytes", "f");
    SHOW("pread at the end", pread(fd, buf, sizeof buf, 10));
    changed("pread at the end of the file", "f");
    age("f");
    mark("f");
    struct iovec iov[2] = { { buf, 2 }, { buf + 2, 2 } };
    SHOW("preadv", preadv(fd, iov, 2, 0));
    changed("preadv", "f");
    age("f");
    mark("f");
    SHOW("write 2", write(fd, "ab", 2));
    struct stat sb;
    fstat(fd, &sb);
    changed("write and fstat", "f");
    close(fd);

    age("f");
    int na = open("f", O_RDONLY | O_NOATIME);
    mark("f");
    SHOW("read O_NOATIME", read(na, buf, sizeof buf));
    changed("read of an O_NOATIME file", "f");
    close(na);

    mkdir("d", 0755);
    put_file("d/x", "x");
    age("d");
    mark("d");
    DIR *dir = opendir("d");
    int entries = 0;
    while (readdir(dir))
        entries++;
    closedir(dir);
    printf("entries %d\n", entries);
    changed("readdir of a directory", "d");

    symlink("f", "l");
    age("l");
    mark("l");
    SHOW("readlink", readlink("l", buf, sizeof buf));
    changed("readlink", "l");
    age("l");
    mark("l");
    struct stat through;
    SHOW("stat through the link", stat("l", &through));
    changed("following a symlink", "l");
    leave_tmpdir();
    return 0;
}
