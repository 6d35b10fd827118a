/* M1, F6, issue 5 (MAP_SHARED file and anonymous memory): a store into a
   shared file mapping is the file's contents at once (read() sees it, and so
   does a second mapping of the file) and a write() to the file shows in the
   mapping; msync succeeds (MS_SYNC, MS_ASYNC; an unaligned address is
   EINVAL); stores never change the file's size; the data stays after
   munmap and close. A forked child shares the mapping both ways (its stores
   reach the parent's memory and the file; the parent's reach it). A
   MAP_SHARED|MAP_ANONYMOUS region is shared across fork too (also its part
   beyond a hole the parent punched with munmap), while a
   MAP_PRIVATE|MAP_ANONYMOUS one is copied on write. */
#include <sys/mman.h>
#include "files_util.h"

enum { PAGE = 4096 };

int main(void)
{
    enter_tmpdir();
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ftruncate(fd, 2 * PAGE);
    char *m = mmap(0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *m2 = mmap(0, 2 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
    char buf[16] = {0};

    memcpy(m + 10, "shared", 6);
    pread(fd, buf, 6, 10);
    printf("store \"shared\" at 10: read() sees \"%s\", a second mapping \"%.6s\"\n", buf, m2 + 10);
    pwrite(fd, "WRITE", 5, PAGE);
    printf("write() at 4096: the mapping shows \"%.5s\"\n", m + PAGE);
    SHOW("msync MS_SYNC", msync(m, 2 * PAGE, MS_SYNC));
    SHOW("msync MS_ASYNC", msync(m, PAGE, MS_ASYNC));
    SHOW("msync at an unaligned address", msync(m + 1, PAGE, MS_SYNC));

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int saw = memcmp(m + 10, "shared", 6) == 0;
        memcpy(m + 100, "chil", 4);
        ((volatile char *)m)[104] = 'd';           /* last: the parent waits for it */
        while (((volatile char *)m)[200] != 'P')                      /* the parent's answer */
            usleep(1000);
        _exit(saw ? 0 : 1);
    }
    while (((volatile char *)m)[104] != 'd')
        usleep(1000);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, 5, 100);
    printf("the child's store reached the parent's mapping and the file: \"%s\"\n", buf);
    m[200] = 'P';
    printf("the child saw the parent's stores and the parent's answer: %s\n", reap(pid));

    struct stat sb;
    fstat(fd, &sb);
    printf("file size %ld\n", (long)sb.st_size);
    munmap(m, 2 * PAGE);
    munmap(m2, 2 * PAGE);
    close(fd);
    char back[8] = {0};
    fd = open("f", O_RDONLY);
    pread(fd, back, 5, 100);
    printf("after munmap and close, reopened: \"%s\"\n", back);

    /* anonymous memory */
    int *shared = mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    int *priv = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    shared[0] = priv[0] = 1;
    munmap((char *)shared + PAGE, PAGE);           /* a hole in the middle */
    int *last = (int *)((char *)shared + 2 * PAGE);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        shared[0] = 2;
        *last = 3;
        priv[0] = 2;
        _exit(0);
    }
    reap(pid);
    printf("anonymous: after the child's stores, shared %d, shared past the hole %d, private %d\n", shared[0], *last,
           priv[0]);
    pid = fork();
    if (pid == 0)
        _exit(shared[0] == 2 && *last == 3 ? 0 : 1);
    printf("a second child sees them: %s\n", reap(pid));
    leave_tmpdir();
    return 0;
}
