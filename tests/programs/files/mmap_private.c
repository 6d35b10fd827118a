/* M1, F6, issue 5 (file-backed mmap, MAP_PRIVATE with COW): a private
   mapping shows the file's bytes (zeros after EOF up to the page end) at the
   page-aligned offset asked; writes to it are the process's own: read() and
   another mapping of the file do not see them, and the file is unchanged.
   Until a page is written, it shows the file's current contents (a later
   write() to the file is visible there: Linux maps the page cache); once
   written, it is a private copy and later file writes no longer show. After
   fork, parent and child each get their own copy on write. Errors: an
   offset that is not page-aligned is EINVAL; a write-only fd EACCES;
   MAP_SHARED with PROT_WRITE on a read-only fd EACCES, while MAP_PRIVATE
   with PROT_WRITE on it is fine; length 0 is EINVAL; a closed fd EBADF. */
#include <sys/mman.h>
#include "files_util.h"

enum { PAGE = 4096 };

int main(void)
{
    enter_tmpdir();
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    static char page[PAGE];
    for (int i = 0; i < 3; i++) {
        memset(page, 'A' + i, PAGE);
        write(fd, page, PAGE);
    }
    write(fd, "tail", 4);                              /* size 3 pages + 4 */

    char *m = mmap(0, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("mapped %d: bytes at 0, 4096, 8192: %c %c %c, tail \"%.4s\", after EOF %d %d\n", m != MAP_FAILED, m[0],
           m[PAGE], m[2 * PAGE], m + 3 * PAGE, m[3 * PAGE + 4], m[4 * PAGE - 1]);
    char *o = mmap(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 2 * PAGE);
    printf("mapping at offset 8192 starts with %c\n", o[0]);

    m[0] = 'x';
    char c;
    pread(fd, &c, 1, 0);
    char *m2 = mmap(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("after writing 'x' to the private page 0: read() sees %c, another mapping sees %c, ours %c\n", c, m2[0],
           m[0]);

    pwrite(fd, "B2", 2, PAGE);
    printf("write() to the file's page 1, not yet written through the mapping: the mapping shows \"%.2s\"\n", m + PAGE);
    pwrite(fd, "zz", 2, 0);
    printf("write() to page 0, already copied: the mapping still shows %c%c\n", m[0], m[1]);

    /* fork: copy on write on both sides */
    m[2 * PAGE] = 'p';
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int saw = m[2 * PAGE] == 'p';
        m[2 * PAGE] = 'c';
        _exit(saw ? 0 : 1);
    }
    printf("child saw the parent's private write and wrote its own: %s\n", reap(pid));
    pread(fd, &c, 1, 2 * PAGE);
    printf("parent still has %c; the file has %c\n", m[2 * PAGE], c);
    munmap(m, 4 * PAGE);
    struct stat sb;
    fstat(fd, &sb);
    printf("after munmap the file size is still %ld\n", (long)sb.st_size);

    int ro = open("f", O_RDONLY), wo = open("f", O_WRONLY);
    errno = 0;
    char *p = mmap(0, PAGE, PROT_READ, MAP_PRIVATE, fd, 100);
    printf("offset 100: %s\n", p == MAP_FAILED ? ename(errno) : "mapped");
    errno = 0;
    p = mmap(0, PAGE, PROT_READ, MAP_PRIVATE, wo, 0);
    printf("write-only fd: %s\n", p == MAP_FAILED ? ename(errno) : "mapped");
    errno = 0;
    p = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
    printf("MAP_SHARED PROT_WRITE on a read-only fd: %s\n", p == MAP_FAILED ? ename(errno) : "mapped");
    errno = 0;
    p = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    printf("MAP_PRIVATE PROT_WRITE on a read-only fd: %s\n", p == MAP_FAILED ? ename(errno) : "mapped");
    p[0] = 'w';
    pread(ro, &c, 1, 0);
    printf("  written privately: %c, file %c\n", p[0], c);
    errno = 0;
    p = mmap(0, 0, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("length 0: %s\n", p == MAP_FAILED ? ename(errno) : "mapped");
    errno = 0;
    p = mmap(0, PAGE, PROT_READ, MAP_PRIVATE, 99, 0);
    printf("closed fd: %s\n", p == MAP_FAILED ? ename(errno) : "mapped");
    leave_tmpdir();
    return 0;
}
