/* calibrate_loops MODE N [ARGS]: N iterations of one kind of work, for
   bench/calibrate.py. Every mode but "chain" first pins the process to CPU 0,
   so that its children share that CPU with it (as on proclab's one CPU).

     compute N          N rounds of an integer loop (xorshift, table lookup, branch)
     getpid N           N getpid syscalls
     pipe N             N one-byte round trips between parent and child over two pipes
     fault N            N fresh anonymous pages written once (mapped and unmapped 256 at a time)
     cow N FORKS REGION the parent writes REGION pages, then FORKS times forks a child
                        that writes the first N of them (N copy-on-write breaks) and exits
     fork N             N times fork, _exit in the child, waitpid in the parent
     exec N             N execs in a chain: the program execs itself ("chain N-1")
     signal N           N times kill(getpid(), SIGUSR1) caught by a handler */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096
#define CHUNK 256

static volatile unsigned long sink;
static volatile long caught;

static void compute(long n) {
    unsigned long table[256];
    unsigned long x = 88172645463325252UL, acc = 0;
    for (int i = 0; i < 256; i++) table[i] = i * 0x9E3779B97F4A7C15UL;
    for (long i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        acc += table[x & 255] ^ (x >> 3);
        if (acc & 1) acc ^= (unsigned long)i;
        table[i & 255] = acc;
    }
    sink = acc;
}

static void getpids(long n) {
    for (long i = 0; i < n; i++) syscall(SYS_getpid);
}

static void pipes(long n) {
    int there[2], back[2];
    char c = 0;
    if (pipe(there) || pipe(back)) exit(1);
    pid_t pid = fork();
    if (pid == 0) {
        for (long i = 0; i < n; i++) {
            if (read(there[0], &c, 1) != 1 || write(back[1], &c, 1) != 1) _exit(1);
        }
        _exit(0);
    }
    for (long i = 0; i < n; i++) {
        if (write(there[1], &c, 1) != 1 || read(back[0], &c, 1) != 1) exit(1);
    }
    waitpid(pid, 0, 0);
}

/* Anonymous memory for `pages` pages, in 4 KiB pages even where transparent
   huge pages are always on. */
static char *map(long pages) {
    char *p = mmap(0, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) exit(1);
    madvise(p, pages * PAGE, MADV_NOHUGEPAGE);
    return p;
}

static void faults(long n) {
    for (long done = 0; done < n; done += CHUNK) {
        long pages = n - done < CHUNK ? n - done : CHUNK;
        char *p = map(pages);
        for (long i = 0; i < pages; i++) p[i * PAGE] = 1;
        munmap(p, pages * PAGE);
    }
}

static void cow(long n, long forks, long region) {
    char *p = map(region);
    for (long i = 0; i < region; i++) p[i * PAGE] = 1;
    for (long f = 0; f < forks; f++) {
        pid_t pid = fork();
        if (pid == 0) {
            for (long i = 0; i < n; i++) p[i * PAGE] = 2;
            _exit(0);
        }
        waitpid(pid, 0, 0);
    }
}

static void forks(long n) {
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) _exit(0);
        waitpid(pid, 0, 0);
    }
}

static void chain(char *self, long n) {
    if (n <= 0) return;
    char count[24];
    snprintf(count, sizeof count, "%ld", n - 1);
    char *argv[] = {self, "chain", count, 0};
    execve(self, argv, environ);
    exit(1);
}

static void on_usr1(int sig) {
    (void)sig;
    caught++;
}

static void signals(long n) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, 0);
    for (long i = 0; i < n; i++) kill(getpid(), SIGUSR1);
    if (caught != n) exit(1);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s MODE N [ARGS]\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1];
    long n = atol(argv[2]);
    if (strcmp(mode, "chain") == 0) {
        chain(argv[0], n);
        return 0;
    }
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(0, &one);
    sched_setaffinity(0, sizeof one, &one);
    if (strcmp(mode, "compute") == 0) compute(n);
    else if (strcmp(mode, "getpid") == 0) getpids(n);
    else if (strcmp(mode, "pipe") == 0) pipes(n);
    else if (strcmp(mode, "fault") == 0) faults(n);
    else if (strcmp(mode, "cow") == 0 && argc == 5) cow(n, atol(argv[3]), atol(argv[4]));
    else if (strcmp(mode, "fork") == 0) forks(n);
    else if (strcmp(mode, "exec") == 0) chain(argv[0], n);
    else if (strcmp(mode, "signal") == 0) signals(n);
    else {
        fprintf(stderr, "%s: unknown mode %s\n", argv[0], mode);
        return 2;
    }
    return 0;
}
