/* Issue 15 item 3: RLIMIT_DATA bounds private writable mappings and the heap
   (may_expand_vm on data_vm, check_data_rlimit for brk): ENOMEM beyond it,
   while read-only, shared and stack mappings are not data. mprotect making a
   mapping writable is checked too. A zero soft limit falls back to the hard
   one (the Valgrind workaround). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MB (1UL << 20)

static void *map(size_t len, int prot, int flags)
{
    return mmap(0, len, prot, flags | MAP_ANONYMOUS, -1, 0);
}

static void show(const char *what, long ok)
{
    printf("%s: %s\n", what, ok ? "ok" : strerror(errno));
}

int main(void)
{
    struct rlimit rl = { 2 * MB, RLIM_INFINITY };
    show("setrlimit(RLIMIT_DATA, 2 MiB)", setrlimit(RLIMIT_DATA, &rl) == 0);
    show("mmap private rw 4 MiB", map(4 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE) != MAP_FAILED);
    show("mmap private rw 1 MiB", map(MB, PROT_READ | PROT_WRITE, MAP_PRIVATE) != MAP_FAILED);
    char *ro = map(4 * MB, PROT_READ, MAP_PRIVATE);
    show("mmap private ro 4 MiB", ro != MAP_FAILED);
    show("mprotect it rw", mprotect(ro, 4 * MB, PROT_READ | PROT_WRITE) == 0);
    show("mprotect 64 KiB of it rw", mprotect(ro, 64 * 1024, PROT_READ | PROT_WRITE) == 0);
    show("mmap shared rw 4 MiB", map(4 * MB, PROT_READ | PROT_WRITE, MAP_SHARED) != MAP_FAILED);
    show("mmap private rw growsdown 4 MiB",
         map(4 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_GROWSDOWN) != MAP_FAILED);
    long cur = syscall(SYS_brk, 0);
    printf("brk +4 MiB: %s\n", syscall(SYS_brk, cur + 4 * MB) == cur ? "unchanged" : "moved");
    printf("brk +64 KiB: %s\n", syscall(SYS_brk, cur + 65536) == cur + 65536 ? "moved" : "unchanged");
    errno = 0;
    show("sbrk 4 MiB", sbrk(4 * MB) != (void *)-1);
    errno = 0;
    show("malloc 8 MiB", malloc(8 * MB) != NULL);
    rl.rlim_cur = 0;
    show("setrlimit(RLIMIT_DATA, 0)", setrlimit(RLIMIT_DATA, &rl) == 0);
    show("mmap private rw 4 MiB (hard limit applies)", map(4 * MB, PROT_READ | PROT_WRITE, MAP_PRIVATE) != MAP_FAILED);
    rl.rlim_max = 0;
    show("setrlimit(RLIMIT_DATA, 0, 0)", setrlimit(RLIMIT_DATA, &rl) == 0);
    show("mmap private rw 4 KiB", map(4096, PROT_READ | PROT_WRITE, MAP_PRIVATE) != MAP_FAILED);
    show("mmap private ro 4 KiB", map(4096, PROT_READ, MAP_PRIVATE) != MAP_FAILED);
    return 0;
}
