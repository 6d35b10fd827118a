/* Issue 15: what mapping a file does to its times, as on a disk filesystem
   mounted relatime (the host's /tmp; proclab's writable layer behaves as
   one), and the bytes past the end of the file in its last page.
   - mmap is an access (file_accessed()): atime moves when it is not newer
     than mtime or ctime, also for MAP_PRIVATE, never with O_NOATIME; read
     faults do not touch it.
   - the first store to each page of a MAP_SHARED mapping stamps mtime and
     ctime (page_mkwrite); more stores to that page do not, until msync
     (MS_SYNC) has written it back; msync and munmap themselves do not, nor
     do stores to a MAP_PRIVATE mapping.
   - mprotect read-only and back keeps that: the next store to each page
     stamps them again, whether the page was still dirty or written back.
   - past the end of the file the last page reads as zeros; a store there
     shows in every mapping but is not part of the file (read() and the size
     do not change), and writing the page back zeroes it again.
   Only relations between stat() results are printed, never times. */
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include "../files/files_util.h"

enum { PAGE = 4096, SIZE = 2 * PAGE + 100 };

static struct stat before;

static int same(struct timespec a, struct timespec b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }
static const char *yes(int c) { return c ? "yes" : "no"; }

/* Times far in the past (or `atime_ahead` seconds in the future), then a
   pause so that "now" is clearly later than the ctime they leave. */
static void set_times(const char *name, long atime_ahead)
{
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    struct timespec ts[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
    if (atime_ahead)
        ts[0].tv_sec = now.tv_sec + atime_ahead;
    utimensat(AT_FDCWD, name, ts, 0);
    usleep(30000);
}

static void mark(int fd)
{
    fstat(fd, &before);
    usleep(30000);
}

static void changed(const char *what, int fd)
{
    struct stat now;
    fstat(fd, &now);
    printf("%s: atime changed: %s, mtime changed: %s, ctime changed: %s\n", what,
           yes(!same(now.st_atim, before.st_atim)), yes(!same(now.st_mtim, before.st_mtim)),
           yes(!same(now.st_ctim, before.st_ctim)));
    before = now;
    usleep(30000);
}

int main(void)
{
    enter_tmpdir();
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    char data[SIZE];
    memset(data, 'd', sizeof data);
    write(fd, data, sizeof data);

    /* atime */
    set_times("f", 0);
    mark(fd);
    char *r = mmap(0, SIZE, PROT_READ, MAP_SHARED, fd, 0);
    changed("mmap, atime not newer than mtime", fd);
    volatile char c = r[0];
    (void)c;
    changed("read fault", fd);
    char *r2 = mmap(0, SIZE, PROT_READ, MAP_SHARED, fd, 0);
    changed("mmap again, atime newer than mtime and ctime", fd);
    set_times("f", 3600);
    mark(fd);
    char *r3 = mmap(0, SIZE, PROT_READ, MAP_SHARED, fd, 0);
    changed("mmap, atime in the future", fd);
    set_times("f", 0);
    mark(fd);
    char *p = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    changed("mmap MAP_PRIVATE", fd);
    int noatime = open("f", O_RDONLY | O_NOATIME);
    set_times("f", 0);
    mark(fd);
    char *r4 = mmap(0, SIZE, PROT_READ, MAP_SHARED, noatime, 0);
    changed("mmap of an O_NOATIME file", fd);
    munmap(r, SIZE);
    munmap(r2, SIZE);
    munmap(r3, SIZE);
    munmap(r4, SIZE);
    close(noatime);

    /* mtime and ctime */
    char *w = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    set_times("f", 0);
    mark(fd);
    c = w[0];
    changed("read fault on a writable shared mapping", fd);
    w[0] = 'x';
    changed("first store to page 0", fd);
    w[1] = 'y';
    changed("another store to page 0", fd);
    w[PAGE] = 'z';
    changed("first store to page 1", fd);
    SHOW("msync MS_SYNC", msync(w, SIZE, MS_SYNC));
    changed("msync", fd);
    w[2] = 'q';
    changed("store to page 0 after msync", fd);
    w[3] = 'q';
    changed("another store to page 0", fd);
    SHOW("msync MS_ASYNC", msync(w, SIZE, MS_ASYNC));
    w[4] = 'q';
    changed("store to page 0 after MS_ASYNC", fd);
    p[0] = 'p';
    p[PAGE] = 'p';
    changed("stores to the MAP_PRIVATE mapping", fd);
    munmap(w, SIZE);
    changed("munmap", fd);

    /* past the end of the file */
    char *m = mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *m2 = mmap(0, 3 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    int zeros = 1;
    for (int i = SIZE; i < 3 * PAGE; i++)
        zeros &= m[i] == 0;
    printf("the last page past the end reads as zeros: %s\n", yes(zeros));
    m[SIZE + 100] = 'G';
    struct stat sb;
    fstat(fd, &sb);
    char buf[PAGE];
    ssize_t n = pread(fd, buf, sizeof buf, 2 * PAGE);
    printf("store past the end: size unchanged: %s, read() of the last page gives %zd bytes, "
           "the other mapping sees it: %s\n", yes(sb.st_size == SIZE), n, yes(m2[SIZE + 100] == 'G'));
    SHOW("msync MS_SYNC", msync(m, 3 * PAGE, MS_SYNC));
    printf("after msync: the store past the end is gone from both mappings: %s\n",
           yes(m[SIZE + 100] == 0 && m2[SIZE + 100] == 0));
    ftruncate(fd, 3 * PAGE);
    printf("after ftruncate to 3 pages: the earlier store is zero: %s\n", yes(m[SIZE + 100] == 0));
    munmap(m, 3 * PAGE);
    munmap(m2, 3 * PAGE);

    /* mprotect keeps the write notification: a page made writable again
       stamps mtime and ctime at its first store, dirty or written back */
    char *v = mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    c = v[2 * PAGE];
    mark(fd);
    v[0] = 'a';
    v[PAGE] = 'b';
    changed("stores to pages 0 and 1", fd);
    SHOW("msync page 1", msync(v + PAGE, PAGE, MS_SYNC));
    SHOW("mprotect read-only", mprotect(v, 3 * PAGE, PROT_READ));
    SHOW("mprotect read-write", mprotect(v, 3 * PAGE, PROT_READ | PROT_WRITE));
    mark(fd);
    v[1] = 'c';
    changed("store to page 0 (dirty) after mprotect", fd);
    v[PAGE + 1] = 'd';
    changed("store to page 1 (written back) after mprotect", fd);
    v[2 * PAGE] = 'e';
    changed("store to page 2 (only read before)", fd);
    v[2 * PAGE + 1] = 'f';
    changed("another store to page 2", fd);
    munmap(v, 3 * PAGE);
    close(fd);
    leave_tmpdir();
    return 0;
}
