/* The syscall fuzzer: from a seed, a few forked children make random system
 * calls with random and boundary arguments (bad pointers, huge sizes,
 * negative fds, flags with unknown bits) while signals fly between them.
 *
 *     syscall_fuzz SEED SCRATCH_DIR [CALLS_PER_CHILD] [-v]
 *
 * It is for proclab only: it refuses to run on any kernel whose uname release
 * does not say "proclab" (on a real kernel it would change files and send
 * signals for real). The calls are those of proclab's own system call table,
 * generated into syscall_table.h by fuzz/run.py (FUZZ_TABLE: number, name,
 * argument types as in syscall_64.py, and which arguments are paths), plus
 * numbers no kernel implements.
 *
 * Exclusions keep a run meaningful: a fork-like call's child exits at once
 * (fz_forklike, without touching the stack it may share); exit, exit_group and
 * rt_sigreturn are rare; memory calls that could unmap or protect the fuzzer's
 * own code, stack or buffers only get addresses in an arena of their own;
 * SIGKILL and SIGSTOP only reach this run's children (the parent blocks every
 * other signal); prlimit64 never targets the parent; arch_prctl never moves
 * the FS base the C library needs. With -v each call is logged on fd 999 (a
 * copy of stderr) before and after it is made.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "syscall_table.h"

#define CHILDREN 3 /* at a time */
#define SPAWNS 6   /* in all: a child that dies early is replaced */
#define SCRATCH_SIZE (64 * 1024)
#define ARENA_SIZE (1024 * 1024)
#define CHILD_STACK_SIZE (64 * 1024)
#define LOG_FD 999
#define DEADLINE_TICKS 2000 /* parent waits at most this many 1 ms sleeps */

struct fz_entry {
    int nr;
    const char *name;
    const char *spec; /* one of "iulp" per argument */
    int paths;        /* bit n: argument n is a path */
};

static const struct fz_entry TABLE[] = {FUZZ_TABLE};
#define NENTRIES ((int)(sizeof TABLE / sizeof TABLE[0]))

static const char *const PATHS[] = {
    "f0", "f1", "d0", "d0/f2", "fifo0", "l0", "new", "d0/new", "", ".", "..", "../outside",
    "/", "/dev/null", "/dev/zero", "/dev/full", "/dev/tty", "/dev/console", "/dev/urandom",
    "/proc/self/maps", "/proc/self/fd/0", "/proc/self/status", "/proc/self/stat", "/proc/1/stat",
    "/proc/self/fd", "/proc/sys/kernel/pid_max", "/proc/self/task", "/sys/devices/system/cpu/online",
    "/etc/passwd", "/etc", "/tmp", "/tmp/proclab-fuzz-outside", "d0/../../..", "//./f0/",
};
#define NPATHS ((int)(sizeof PATHS / sizeof PATHS[0]))

static const char RODATA[4096] = "read-only";

static uint64_t rng_state;
static char *scratch;     /* SCRATCH_SIZE bytes, then a PROT_NONE page */
static char *arena;       /* the memory calls' playground, between two guard regions as large */
static char *child_stack; /* stack of CLONE_VM children */
static int verbose;
static pid_t parent_pid;
static volatile pid_t *siblings; /* CHILDREN pids, MAP_SHARED, written by the parent */
static volatile unsigned long signals_caught;

static uint64_t rnd(void)
{
    /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned below(unsigned n)
{
    return (unsigned)(rnd() % n);
}

static long raw(long n, long a, long b, long c, long d, long e, long f)
{
    register long r10 __asm__("r10") = d;
    register long r8 __asm__("r8") = e;
    register long r9 __asm__("r9") = f;
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

/* A fork-like call (fork, vfork, clone, clone3) whose child exits at once,
 * touching neither memory nor the stack it may share with its parent. */
long fz_forklike(long nr, long a, long b, long c, long d, long e);
__asm__(".text\n"
        ".globl fz_forklike\n"
        "fz_forklike:\n"
        "  mov %rdi, %rax\n"
        "  mov %rsi, %rdi\n"
        "  mov %rdx, %rsi\n"
        "  mov %rcx, %rdx\n"
        "  mov %r8, %r10\n"
        "  mov %r9, %r8\n"
        "  syscall\n"
        "  test %rax, %rax\n"
        "  jnz 1f\n"
        "  mov $60, %eax\n"
        "  xor %edi, %edi\n"
        "  syscall\n"
        "1: ret\n");

/* sa_restorer of the handlers installed with raw rt_sigaction. */
void fz_restorer(void);
__asm__(".text\n"
        ".globl fz_restorer\n"
        "fz_restorer:\n"
        "  mov $15, %eax\n"
        "  syscall\n"
        "  hlt\n");

static void handler(int sig)
{
    (void)sig;
    signals_caught++;
}

/* --- argument values ------------------------------------------------------ */

static const uint64_t BAD_POINTERS[] = {
    0, 1, 8, 0xfff, 0x1000, 0x7fffffffffffull, 0x800000000000ull, 0xffff800000000000ull,
    0xffffffffffffffffull, 0xfffffffffffff000ull, 0x8000000000000000ull, 0x0000100000000000ull,
};

static const uint64_t SIZES[] = {
    0, 1, 2, 7, 8, 16, 64, 128, 512, 4095, 4096, 4097, 65536, 0x7fffffff, 0x80000000ull,
    0xffffffffull, 0x100000000ull, 0x7fffffffffffffffull, 0xffffffffffffffffull, 1ull << 40,
};

static const int64_t INTS[] = {
    0, 1, 2, 3, -1, -2, -100, 0x7fffffff, -0x7fffffff - 1, 0x80, 0xff, 0x100, 1023, 1024, 4096, 65535,
    1 << 20, 32768, 4194304, -4096,
};

/* A pointer into the scratch buffer, sometimes straddling its guard page. */
static uint64_t scratch_pointer(void)
{
    switch (below(4)) {
    case 0:
        return (uint64_t)scratch;
    case 1:
        return (uint64_t)scratch + SCRATCH_SIZE - 1 - below(64);
    default:
        return (uint64_t)scratch + below(SCRATCH_SIZE);
    }
}

static uint64_t arena_pointer(void)
{
    uint64_t page = (uint64_t)arena + 4096ull * below(ARENA_SIZE / 4096);
    return below(8) ? page : page + below(4096);
}

/* A length for a memory call on the arena: one that stays within the
 * guard regions around it, or one Linux rejects as beyond any address space. */
static uint64_t arena_length(uint64_t len)
{
    return len > ARENA_SIZE && len < (1ull << 47) ? below(ARENA_SIZE) : len;
}

static uint64_t pointer_value(void)
{
    switch (below(10)) {
    case 0: case 1:
        return BAD_POINTERS[below(sizeof BAD_POINTERS / sizeof BAD_POINTERS[0])];
    case 2:
        return SIZES[below(sizeof SIZES / sizeof SIZES[0])];
    case 3:
        return arena_pointer();
    case 4:
        return (uint64_t)RODATA + below(64);
    case 5:
        return rnd();
    default:
        return scratch_pointer();
    }
}

static uint64_t int_value(void)
{
    switch (below(6)) {
    case 0: case 1:
        return (uint64_t)INTS[below(sizeof INTS / sizeof INTS[0])];
    case 2:
        return below(24); /* a likely fd, signal or small command */
    case 3:
        return (uint64_t)(int64_t)(int32_t)rnd();
    case 4:
        return 1ull << below(32);
    default:
        return below(70);
    }
}

static uint64_t flags_value(void)
{
    switch (below(6)) {
    case 0:
        return 0;
    case 1:
        return 0xffffffffu;
    case 2:
        return 1u << below(32);
    case 3:
        return (uint32_t)(rnd() & rnd() & rnd());
    case 4:
        return below(16);
    default:
        return (uint32_t)(rnd() & rnd());
    }
}

static uint64_t long_value(void)
{
    switch (below(4)) {
    case 0:
        return (uint64_t)INTS[below(sizeof INTS / sizeof INTS[0])];
    case 1:
        return SIZES[below(sizeof SIZES / sizeof SIZES[0])];
    case 2:
        return rnd();
    default:
        return below(4096);
    }
}

/* A path from PATHS (or a too long one) copied into the scratch buffer. */
static uint64_t path_value(void)
{
    char *at = scratch + below(SCRATCH_SIZE - 8192);
    if (below(40) == 0) {
        size_t n = below(2) ? 255 + below(4) : 4095 + below(4);
        memset(at, 'a', n);
        at[n] = 0;
        return (uint64_t)at;
    }
    if (below(30) == 0)
        return pointer_value();
    const char *p = PATHS[below(NPATHS)];
    if (below(20) == 0) { /* unterminated at the guard page */
        size_t n = strlen(p);
        at = scratch + SCRATCH_SIZE - n;
        memcpy(at, p, n);
        return (uint64_t)at;
    }
    strcpy(at, p);
    return (uint64_t)at;
}

static uint64_t arg_value(char type)
{
    switch (type) {
    case 'i': return int_value();
    case 'u': return below(3) ? flags_value() : int_value();
    case 'l': return long_value();
    default: return below(5) ? pointer_value() : (below(2) ? SIZES[below(20)] : int_value());
    }
}

/* Fill part of the scratch buffer with words that make plausible structures:
 * small numbers, boundary values and pointers back into the buffer. */
static void refill_scratch(void)
{
    uint64_t *w = (uint64_t *)(scratch + 8 * below(SCRATCH_SIZE / 8 - 512));
    for (int i = 0; i < 512; i++) {
        switch (below(6)) {
        case 0: w[i] = 0; break;
        case 1: w[i] = below(64); break;
        case 2: w[i] = scratch_pointer(); break;
        case 3: w[i] = rnd(); break;
        case 4: w[i] = (uint32_t)int_value() | ((uint64_t)below(8) << 32); break;
        default: w[i] = long_value(); break;
        }
    }
}

/* --- exclusions ----------------------------------------------------------- */

static int is_sibling_or_self(long pid)
{
    if (pid == getpid())
        return 1;
    for (int i = 0; i < CHILDREN; i++)
        if (siblings[i] != 0 && pid == siblings[i])
            return 1;
    return 0;
}

static long target_pid(void)
{
    switch (below(10)) {
    case 0: return 0;
    case 1: return -1;
    case 2: return 1 + below(3);
    case 3: return (long)int_value();
    case 4: return -(long)getpgrp();
    case 5: return getpid();
    default: return siblings[below(CHILDREN)];
    }
}

static long signal_number(void)
{
    return below(10) ? 1 + below(64) : (long)int_value();
}

/* SIGKILL and SIGSTOP (and stop signals, which would park a whole group) only
 * for a sibling or this child itself. */
static long safe_signal(long pid, long sig)
{
    if (is_sibling_or_self(pid))
        return sig;
    if (sig == SIGKILL || sig == SIGSTOP)
        return SIGUSR1;
    return sig;
}

/* Rewrite the arguments of calls that would end the run or hurt the fuzzer
 * itself; returns 0 when the call is skipped. */
static int sanitize(int nr, uint64_t a[6])
{
    switch (nr) {
    case SYS_exit:
    case SYS_exit_group:
    case SYS_rt_sigreturn:
        return below(500) == 0;
    case SYS_kill:
    case SYS_rt_sigqueueinfo:
        if (below(2))
            a[0] = (uint64_t)target_pid();
        if (below(3))
            a[1] = (uint64_t)signal_number();
        a[1] = (uint64_t)safe_signal((long)a[0], (long)(int)a[1]);
        return 1;
    case SYS_tkill:
        if (below(2))
            a[0] = (uint64_t)target_pid();
        a[1] = (uint64_t)safe_signal((long)(int)a[0], (long)(int)a[1]);
        return 1;
    case SYS_tgkill:
    case SYS_rt_tgsigqueueinfo:
        if (below(2))
            a[0] = a[1] = (uint64_t)target_pid();
        a[2] = (uint64_t)safe_signal((long)(int)a[1], (long)(int)a[2]);
        if ((int)a[0] != (int)a[1])
            a[2] = (uint64_t)safe_signal(parent_pid, (long)(int)a[2]);
        return 1;
    case SYS_prlimit64:
        if ((int)a[0] == parent_pid || (int)a[0] < 0)
            a[0] = 0;
        return 1;
    case SYS_arch_prctl:
        if ((int)a[0] == 0x1002) /* ARCH_SET_FS */
            a[0] = 0x1003;       /* ARCH_GET_FS */
        return 1;
    case SYS_mmap:
        if (a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE))
            a[0] = arena_pointer();
        return 1;
    case SYS_munmap:
    case SYS_mprotect:
    case SYS_madvise:
    case SYS_mlock:
    case SYS_munlock:
    case SYS_mlock2:
    case SYS_msync:
    case SYS_mincore:
    case SYS_shmdt:
        a[0] = below(8) ? arena_pointer() : BAD_POINTERS[below(sizeof BAD_POINTERS / sizeof BAD_POINTERS[0])];
        a[1] = arena_length(a[1]);
        return 1;
    case SYS_mremap:
        a[0] = arena_pointer();
        a[1] = arena_length(a[1]);
        a[2] = arena_length(a[2]);
        if (a[3] & 2 /* MREMAP_FIXED */)
            a[4] = arena_pointer();
        return 1;
    case SYS_shmat:
        if (a[1] != 0)
            a[1] = arena_pointer();
        return 1;
    case SYS_brk:
        return 1;
    case SYS_execve:
        a[0] = path_value();
        return 1;
    case SYS_clone:
        if ((a[0] & CLONE_VM) && a[1] == 0)
            a[1] = (uint64_t)child_stack + CHILD_STACK_SIZE;
        return 1;
    case SYS_clone3:
        if (below(4)) {
            uint64_t *ca = (uint64_t *)(scratch + 8 * below(SCRATCH_SIZE / 8 - 16));
            ca[0] = below(2) ? flags_value() : (rnd() & rnd());
            for (int i = 1; i < 11; i++)
                ca[i] = below(2) ? 0 : arg_value("pppppppppp"[i - 1]);
            ca[4] = below(2) ? SIGCHLD : ca[4];
            if (ca[0] & CLONE_VM) {
                ca[5] = (uint64_t)child_stack;
                ca[6] = CHILD_STACK_SIZE;
            }
            a[0] = (uint64_t)ca;
            a[1] = below(2) ? 88 : SIZES[below(20)];
        }
        return 1;
    }
    return 1;
}

/* --- the children ---------------------------------------------------------- */

static void install_handlers(void)
{
    static const int sigs[] = {SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGALRM, SIGTERM,
                               SIGCHLD, SIGURG, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGWINCH,
                               SIGIO, SIGSYS, SIGTRAP, SIGTSTP, SIGTTIN, SIGTTOU};
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        struct { void (*h)(int); unsigned long flags; void (*r)(void); uint64_t mask; } sa = {
            handler, 0x04000000 /* SA_RESTORER */ | (below(2) ? SA_RESTART : 0), fz_restorer, rnd() & rnd()};
        raw(SYS_rt_sigaction, sigs[i], (long)&sa, 0, 8, 0, 0);
    }
}

static void open_some_files(void)
{
    int p[2];
    open("f0", O_RDWR | O_CREAT, 0644);
    open("d0", O_RDONLY | O_DIRECTORY);
    pipe(p);
    open("fifo0", O_RDWR | O_NONBLOCK);
    raw(SYS_epoll_create1, 0, 0, 0, 0, 0, 0);
    raw(SYS_socketpair, 1, 1, 0, (long)p, 0, 0);
    open("/dev/null", O_RDWR);
    open("/proc/self/status", O_RDONLY);
}

static void log_call(const char *name, int nr, const uint64_t a[6])
{
    char line[320];
    int n = snprintf(line, sizeof line, "%d: %s/%d(%#llx, %#llx, %#llx, %#llx, %#llx, %#llx)", getpid(), name, nr,
                     (unsigned long long)a[0], (unsigned long long)a[1], (unsigned long long)a[2],
                     (unsigned long long)a[3], (unsigned long long)a[4], (unsigned long long)a[5]);
    raw(SYS_write, LOG_FD, (long)line, n < (int)sizeof line ? n : (int)sizeof line - 1, 0, 0, 0);
}

static void one_call(void)
{
    uint64_t a[6];
    int nr;
    const char *name = "unknown";
    if (below(12) == 0) {
        static const long UNKNOWN[] = {335, 400, 423, 462, 500, 511, 512, 547, 1000, -1, 0x7fffffff};
        nr = below(3) ? (int)UNKNOWN[below(11)] : (int)(rnd() & 0xffff);
        for (int i = 0; i < 6; i++)
            a[i] = arg_value("ipulpi"[i]);
        if (below(4) == 0) { /* high bits set on a harmless number: only eax counts */
            if (verbose)
                log_call("getpid-high-bits", SYS_getpid, a);
            long r = raw((long)(0x100000000ull | SYS_getpid), 0, 0, 0, 0, 0, 0);
            if (verbose)
                dprintf(LOG_FD, " = %ld\n", r);
            return;
        }
        for (int i = 0; i < NENTRIES; i++)
            if (TABLE[i].nr == nr)
                return; /* not unknown after all: skip, its arguments were not chosen for it */
    } else {
        const struct fz_entry *e = &TABLE[below(NENTRIES)];
        nr = e->nr;
        name = e->name;
        int n = (int)strlen(e->spec);
        for (int i = 0; i < 6; i++)
            a[i] = i < n ? ((e->paths >> i) & 1 && below(10) ? path_value() : arg_value(e->spec[i])) : rnd();
        if (!sanitize(nr, a))
            return;
    }
    if (verbose)
        log_call(name, nr, a);
    long r;
    if (nr == SYS_fork || nr == SYS_vfork || nr == SYS_clone || nr == SYS_clone3)
        r = fz_forklike(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4]);
    else
        r = raw(nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], (long)a[5]);
    if (verbose)
        dprintf(LOG_FD, " = %ld\n", r);
}

static void child(int index, uint64_t seed, int calls)
{
    rng_state = seed * 0x100000001B3ull + (uint64_t)index + 1;
    if (index >= CHILDREN)
        install_handlers(); /* with other flags and masks than the parent's */
    struct itimerval it = {{0, 1000 + below(4000)}, {0, 1000 + below(4000)}};
    setitimer(ITIMER_REAL, &it, 0);
    open_some_files();
    for (int i = 0; i < calls; i++) {
        if (below(16) == 0)
            refill_scratch();
        if (below(25) == 0) {
            long pid = siblings[below(CHILDREN)];
            if (pid > 0)
                kill((pid_t)pid, below(30) ? SIGUSR1 + 2 * (int)below(2) : (int)(1 + below(31)));
        }
        one_call();
    }
    _exit(0);
}

/* --- the parent ------------------------------------------------------------ */

static void make_scratch_tree(void)
{
    mkdir("d0", 0755);
    mkfifo("fifo0", 0644);
    symlink("f0", "l0");
    int fd = open("f1", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd >= 0) {
        write(fd, "\x7f" "ELF-ish bytes that are no program\n", 35);
        close(fd);
    }
}

static void *map(size_t size, int prot)
{
    void *p = mmap(0, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        exit(1);
    }
    return p;
}

int main(int argc, char **argv)
{
    struct utsname u;
    if (argc < 3) {
        fprintf(stderr, "usage: %s SEED SCRATCH_DIR [CALLS_PER_CHILD] [-v]\n", argv[0]);
        return 2;
    }
    if (uname(&u) != 0 || !strstr(u.release, "proclab")) {
        fprintf(stderr, "%s: refusing to run outside proclab (kernel %s)\n", argv[0], u.release);
        return 2;
    }
    uint64_t seed = strtoull(argv[1], 0, 0);
    int calls = argc > 3 && argv[3][0] != '-' ? atoi(argv[3]) : 400;
    verbose = argc > 3 && !strcmp(argv[argc - 1], "-v");
    if (chdir(argv[2]) != 0) {
        perror(argv[2]);
        return 2;
    }
    make_scratch_tree();
    scratch = map(SCRATCH_SIZE + 4096, PROT_READ | PROT_WRITE);
    mprotect(scratch + SCRATCH_SIZE, 4096, PROT_NONE);
    arena = map(3 * ARENA_SIZE, PROT_NONE) + ARENA_SIZE;
    mprotect(arena, ARENA_SIZE, PROT_READ | PROT_WRITE);
    child_stack = map(CHILD_STACK_SIZE, PROT_READ | PROT_WRITE);
    siblings = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    parent_pid = getpid();
    rng_state = seed;
    for (int i = 0; i < SCRATCH_SIZE; i += 8)
        *(uint64_t *)(scratch + i) = rnd();

    if (verbose)
        dup2(2, LOG_FD);
    int null = open("/dev/null", O_RDWR);
    dup2(null, 0);
    dup2(null, 1);
    dup2(null, 2);
    close(null);

    install_handlers(); /* inherited: a signal that comes before the child's own setup is caught too */
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_BLOCK, &all, 0);
    int spawned = 0, live = 0;
    struct timespec ms = {0, 1000000};
    for (int tick = 0; (live > 0 || spawned < SPAWNS) && tick < DEADLINE_TICKS; tick++) {
        for (int slot = 0; slot < CHILDREN && spawned < SPAWNS; slot++) {
            if (siblings[slot] != 0)
                continue;
            pid_t pid = fork();
            if (pid == 0) {
                sigset_t none;
                sigemptyset(&none);
                sigprocmask(SIG_SETMASK, &none, 0);
                child(spawned, seed, calls);
            }
            spawned++;
            if (pid > 0) {
                siblings[slot] = pid;
                live++;
            }
        }
        long pid;
        while ((pid = raw(SYS_wait4, -1, 0, WNOHANG | __WALL, 0, 0, 0)) > 0)
            for (int slot = 0; slot < CHILDREN; slot++)
                if (siblings[slot] == pid) {
                    siblings[slot] = 0;
                    live--;
                }
        nanosleep(&ms, 0);
    }
    kill(-1, SIGKILL); /* every process of the run but this one */
    while (raw(SYS_wait4, -1, 0, __WALL, 0, 0, 0) > 0)
        ;
    return 0;
}
