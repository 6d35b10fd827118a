/* compare_loops MODE N [LIVE]: N iterations of one kind of work, for
   bench/compare.py (the same binary runs on the host, on qemu-user and on
   proclab).

     compute N        N rounds of an LCG writing a 4 KiB array
     getpid N         N getpid syscalls
     fork N           N times fork, _exit in the child, waitpid in the parent
     mmap N LIVE      with LIVE one-page anonymous mappings alive (alternating
                      protections, so that none merge), N times mmap one
                      anonymous page and munmap it */
#define _GNU_SOURCE
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096

static unsigned char array[4096];
static volatile unsigned long sink;

static void compute(long n) {
    unsigned long x = 12345;
    for (long i = 0; i < n; i++) {
        x = x * 6364136223846793005UL + 1442695040888963407UL;
        array[i & 4095] = (unsigned char)(x >> 33);
    }
    sink = x + array[n & 4095];
}

static void getpids(long n) {
    for (long i = 0; i < n; i++) syscall(SYS_getpid);
}

static void forks(long n) {
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid < 0) exit(1);
        if (pid == 0) _exit(0);
        if (waitpid(pid, 0, 0) != pid) exit(1);
    }
}

static void mmaps(long n, long live) {
    /* one reserved region, then every other page of it mapped: LIVE VMAs */
    char *base = mmap(0, (2 * live + 2) * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) exit(1);
    for (long i = 0; i < live; i++) {
        int prot = (i & 1) ? PROT_READ : PROT_READ | PROT_WRITE;
        if (mmap(base + 2 * i * PAGE, PAGE, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) == MAP_FAILED) exit(1);
    }
    for (long i = 0; i < n; i++) {
        char *p = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) exit(1);
        if (munmap(p, PAGE)) exit(1);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    long n = atol(argv[2]);
    switch (argv[1][0]) {
    case 'c': compute(n); break;
    case 'g': getpids(n); break;
    case 'f': forks(n); break;
    case 'm': mmaps(n, argc > 3 ? atol(argv[3]) : 0); break;
    default: return 2;
    }
    return 0;
}
