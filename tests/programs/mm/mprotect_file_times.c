/* Issue 15: mprotect on a MAP_SHARED file mapping keeps the write
   notification: a page made writable again by mprotect still stamps mtime
   and ctime at its first store when it is clean (written back by msync, or
   never written), and not when it is still dirty. Only relations between
   fstat() results are printed, never times. */
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include "../files/files_util.h"

enum { PAGE = 4096, SIZE = 3 * PAGE };

static struct stat before;

static int same(struct timespec a, struct timespec b) { return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec; }
static const char *yes(int c) { return c ? "yes" : "no"; }

static void mark(int fd)
{
    fstat(fd, &before);
    usleep(30000);
}

static void changed(const char *what, int fd)
{
    struct stat now;
    fstat(fd, &now);
    printf("%-52s mtime changed: %s, ctime changed: %s\n", what, yes(!same(now.st_mtim, before.st_mtim)),
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
    char *w = mmap(0, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    volatile char c = w[2 * PAGE];   /* page 2: read, never written */
    (void)c;
    mark(fd);
    w[0] = 'a';
    w[PAGE] = 'b';
    changed("stores to pages 0 and 1", fd);
    SHOW("msync page 1", msync(w + PAGE, PAGE, MS_SYNC));
    SHOW("mprotect read-only", mprotect(w, SIZE, PROT_READ));
    SHOW("mprotect read-write", mprotect(w, SIZE, PROT_READ | PROT_WRITE));
    mark(fd);
    w[1] = 'c';
    changed("store to page 0 (still dirty)", fd);
    w[PAGE + 1] = 'd';
    changed("store to page 1 (written back by msync)", fd);
    w[2 * PAGE] = 'e';
    changed("store to page 2 (read before, never written)", fd);
    w[2 * PAGE + 1] = 'f';
    changed("another store to page 2", fd);
    munmap(w, SIZE);
    close(fd);
    leave_tmpdir();
    return 0;
}
