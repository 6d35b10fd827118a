/* When neighbouring mappings become one VMA (vma_merge), as /proc/self/maps
   shows them: anonymous pages of the same rights merge, other rights do not;
   pages of a file merge when mapped through the same open file at following
   offsets, not through two opens of the file nor at other offsets; mprotect
   splits a VMA and merges it back; munmap cuts a hole. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define PG 4096

static char buf[1 << 16];

static int vmas(void) {
    int fd = open("/proc/self/maps", O_RDONLY);
    long n = 0, r;
    while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
    close(fd);
    int count = 0;
    for (long i = 0; i < n; i++) count += buf[i] == '\n';
    return count;
}

static char *fixed(char *at, int prot, int flags, int fd, long off) {
    return mmap(at, PG, prot, flags | MAP_FIXED, fd, off);
}

int main(void) {
    char path[] = "/tmp/vma_merge_XXXXXX";
    int fd = mkstemp(path);
    for (int i = 0; i < 4; i++) write(fd, buf, PG);
    int fd2 = open(path, O_RDONLY);
    /* a free area of 16 pages to work in */
    char *area = mmap(0, 16 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(area, 16 * PG);
    int rw = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;
    int base = vmas();

    fixed(area, rw, anon, -1, 0);
    fixed(area + PG, rw, anon, -1, 0);
    fixed(area + 3 * PG, rw, anon, -1, 0);
    printf("anon: two touching, one apart: %d\n", vmas() - base);
    fixed(area + 2 * PG, rw, anon, -1, 0);
    printf("anon: the gap filled: %d\n", vmas() - base);
    fixed(area + 4 * PG, PROT_READ, anon, -1, 0);
    printf("anon: other rights next to it: %d\n", vmas() - base);
    mprotect(area + PG, PG, PROT_READ);
    printf("mprotect of a page inside: %d\n", vmas() - base);
    mprotect(area + PG, PG, rw);
    printf("mprotect back: %d\n", vmas() - base);
    mprotect(area + 3 * PG, PG, PROT_READ);
    printf("mprotect of the last page like its upper neighbour: %d\n", vmas() - base);
    munmap(area + PG, PG);
    printf("munmap of a page inside: %d\n", vmas() - base);
    munmap(area, 16 * PG);
    printf("all unmapped: %d\n", vmas() - base);

    fixed(area, PROT_READ, MAP_PRIVATE, fd, 0);
    fixed(area + PG, PROT_READ, MAP_PRIVATE, fd, PG);
    printf("file, same fd, following offsets: %d\n", vmas() - base);
    fixed(area + 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("file, same fd, offset going back: %d\n", vmas() - base);
    fixed(area + 3 * PG, PROT_READ, MAP_PRIVATE, fd2, PG);
    printf("file, another open of it: %d\n", vmas() - base);
    fixed(area + 4 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("anonymous after the file: %d\n", vmas() - base);
    fixed(area + 6 * PG, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    fixed(area + 7 * PG, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    printf("shared anonymous, touching: %d\n", vmas() - base);
    munmap(area, 16 * PG);
    unlink(path);
    return 0;
}
