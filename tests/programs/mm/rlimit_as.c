#define _GNU_SOURCE
/* Issue 15 item 3: RLIMIT_AS bounds the address space (may_expand_vm on
   total_vm). Under a 64 MiB limit 1 MiB mmaps succeed until one fails with
   ENOMEM; unmapping one makes room again; a MAP_FIXED mapping replacing an
   old one counts only the difference; mremap growth and brk fail, shrinking
   works. Pages are never touched, so only the mapping counts. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MB (1UL << 20)

static void *map(size_t len)
{
    return mmap(0, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void show(const char *what, long ok)
{
    printf("%s: %s\n", what, ok ? "ok" : strerror(errno));
}

int main(void)
{
    struct rlimit rl = { 64 * MB, RLIM_INFINITY };
    show("setrlimit(RLIMIT_AS, 64 MiB)", setrlimit(RLIMIT_AS, &rl) == 0);
    errno = 0;
    show("mmap 1 GiB", map(1024 * MB) != MAP_FAILED);
    char *chunks[80];
    int n = 0;
    while (n < 80 && (chunks[n] = map(MB)) != MAP_FAILED)
        n++;
    printf("1 MiB mmaps: %s after more than 32: %s\n", n < 80 ? "stopped" : "never stopped",
           n > 32 ? "yes" : "no");
    show("the failing mmap", 0);
    show("mmap 1 MiB read-only", map(MB) != MAP_FAILED);
    show("mmap 4 KiB", map(4096) != MAP_FAILED);
    show("munmap a chunk", munmap(chunks[n - 1], MB) == 0);
    show("mmap 1 MiB again", (chunks[n - 1] = map(MB)) != MAP_FAILED);
    show("mmap MAP_FIXED over a chunk", mmap(chunks[0], MB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == chunks[0]);
    show("mmap MAP_FIXED 2 MiB over a chunk", mmap(chunks[0], 2 * MB, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != MAP_FAILED);
    show("mremap grow 1 -> 2 MiB", mremap(chunks[1], MB, 2 * MB, MREMAP_MAYMOVE) != MAP_FAILED);
    show("mremap shrink 1 MiB -> 4 KiB", mremap(chunks[1], MB, 4096, 0) == chunks[1]);
    show("mremap grow 4 KiB -> 512 KiB", mremap(chunks[1], 4096, 512 * 1024, MREMAP_MAYMOVE) != MAP_FAILED);
    long cur = syscall(SYS_brk, 0);
    long got = syscall(SYS_brk, cur + 2 * MB);
    printf("brk +2 MiB: %s\n", got == cur ? "unchanged" : "moved");
    errno = 0;
    show("sbrk 2 MiB", sbrk(2 * MB) != (void *)-1);
    for (int i = 2; i < n; i++)
        munmap(chunks[i], MB);
    got = syscall(SYS_brk, cur + 2 * MB);
    printf("brk +2 MiB after munmap: %s\n", got == cur + (long)(2 * MB) ? "moved" : "unchanged");
    return 0;
}
