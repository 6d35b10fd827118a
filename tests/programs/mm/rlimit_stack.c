#define _GNU_SOURCE
/* Issue 15: RLIMIT_STACK bounds the growth of the main stack at each fault
   (acct_stack_growth() reads the limit then, not at exec). Each case runs in
   a child that recurses with 1 KiB frames, noting its lowest frame in shared
   memory; the parent says how the child ended and how deep it got:
   - a 256 KiB limit set after fork: killed by SIGSEGV past 128 KiB, before
     256 KiB;
   - the same with a SIGSEGV handler: the handler cannot run on the exhausted
     stack (killed by SIGSEGV), but runs on a sigaltstack (SEGV_MAPERR, at an
     address below the lowest frame);
   - a limit lowered below the stack already grown: the grown part stays
     usable, growing further is not;
   - a limit raised at run time: 12 MiB of recursion work;
   - the stack guard gap: a readable mapping 1 MiB + 64 KiB below the stack
     stops it 1 MiB above that mapping; a PROT_NONE one right below it does
     not keep that gap (the stack grows up to it, and the next frame faults
     inside it: SEGV_ACCERR);
   - the limit inherited through execve: the new program dies the same way. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define KB 1024UL
#define MB (1024 * KB)
#define FRAME 1024

struct shared {
    char *lowest;        /* the lowest frame reached */
    char *fault_addr;    /* what the SIGSEGV handler saw */
    int fault_code;
    char *floor;         /* where the stack must stop */
};
static struct shared *sh;
static char altstack[64 * KB];

static int recurse(long depth)
{
    volatile char buf[FRAME];
    buf[0] = (char)depth;
    if ((char *)buf < sh->lowest)
        sh->lowest = (char *)buf;
    if (depth <= 0)
        return buf[0];
    return recurse(depth - 1) + buf[0];
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    sh->fault_addr = si->si_addr;
    sh->fault_code = si->si_code;
    _exit(3);
}

static void set_stack_limit(rlim_t soft)
{
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    rl.rlim_cur = soft;
    if (setrlimit(RLIMIT_STACK, &rl) != 0)
        _exit(100);
}

static void catch_segv(int on_altstack)
{
    if (on_altstack) {
        stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
        sigaltstack(&ss, 0);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | (on_altstack ? SA_ONSTACK : 0);
    sigaction(SIGSEGV, &sa, 0);
}

/* The start of the [stack] mapping, from /proc/self/maps. */
static char *stack_start(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    char line[512];
    unsigned long lo = 0, hi;
    while (f && fgets(line, sizeof line, f))
        if (strstr(line, "[stack]"))
            sscanf(line, "%lx-%lx", &lo, &hi);
    if (f)
        fclose(f);
    return (char *)lo;
}

static const char *yes(int c) { return c ? "yes" : "no"; }

static int status_of(pid_t pid, char *out, size_t n)
{
    int st;
    waitpid(pid, &st, 0);
    if (WIFSIGNALED(st))
        snprintf(out, n, "killed by signal %d", WTERMSIG(st));
    else
        snprintf(out, n, "exit %d", WEXITSTATUS(st));
    return st;
}

typedef void (*child_fn)(char *top);

/* Run `fn` in a child; returns how deep it got below `top` (its first frame). */
static long run(const char *what, child_fn fn)
{
    char here;
    sh->lowest = &here;
    sh->fault_addr = 0;
    sh->fault_code = 0;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_DUMPABLE, 0);      /* no core files */
        char top;
        fn(&top);
        _exit(0);
    }
    char how[64];
    status_of(pid, how, sizeof how);
    printf("%s: %s\n", what, how);
    return (long)(&here - sh->lowest);
}

static void plain(char *top)      { (void)top; set_stack_limit(256 * KB); recurse(1 << 20); }
static void handler(char *top)    { (void)top; set_stack_limit(256 * KB); catch_segv(0); recurse(1 << 20); }
static void altstack_h(char *top) { (void)top; set_stack_limit(256 * KB); catch_segv(1); recurse(1 << 20); }
static void lowered(char *top)
{
    (void)top;
    recurse(200);                   /* 200 KiB grown, and left */
    set_stack_limit(64 * KB);
    recurse(150);                   /* inside what was grown */
    write(1, "  150 KiB again under a 64 KiB limit: ok\n", 41);
    recurse(1 << 20);
}
static void raised(char *top)     { (void)top; set_stack_limit(64 * MB); recurse(12 * 1024); }

static void guard(char *top)
{
    (void)top;
    char *s = stack_start();
    char *below = s - MB - 64 * KB;
    if (mmap(below, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != below)
        _exit(101);
    sh->floor = below + 4096 + MB;
    catch_segv(1);
    recurse(1 << 20);
}
static void guard_none(char *top)
{
    (void)top;
    char *s = stack_start();
    char *below = s - 68 * KB;
    if (mmap(below, 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) != below)
        _exit(101);
    sh->floor = below + 4096;
    catch_segv(1);
    recurse(1 << 20);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "recurse") == 0) {
        sh = mmap(0, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        char here;
        sh->lowest = &here;
        recurse(1 << 20);
        return 0;
    }
    sh = mmap(0, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    long depth = run("256 KiB limit", plain);
    printf("  deeper than 128 KiB: %s, less than 256 KiB: %s\n", yes(depth > 128 * (long)KB), yes(depth < 256 * (long)KB));
    run("256 KiB limit, SIGSEGV handler", handler);
    depth = run("256 KiB limit, SIGSEGV handler on a sigaltstack", altstack_h);
    printf("  SEGV_MAPERR: %s, below the lowest frame: %s, less than 256 KiB: %s\n",
           yes(sh->fault_code == SEGV_MAPERR), yes(sh->fault_addr < sh->lowest), yes(depth < 256 * (long)KB));
    run("limit lowered to 64 KiB after growing 200 KiB", lowered);
    run("limit raised to 64 MiB, 12 MiB of recursion", raised);

    run("readable mapping 1 MiB + 64 KiB below the stack", guard);
    printf("  stopped 1 MiB above it: %s, SEGV_MAPERR: %s\n",
           yes(sh->lowest >= sh->floor && sh->lowest - sh->floor < 2 * FRAME), yes(sh->fault_code == SEGV_MAPERR));
    run("PROT_NONE mapping 64 KiB below the stack", guard_none);
    printf("  grew up to it: %s, SEGV_ACCERR: %s\n",
           yes(sh->lowest >= sh->floor && sh->lowest - sh->floor < 2 * FRAME), yes(sh->fault_code == SEGV_ACCERR));

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_DUMPABLE, 0);
        set_stack_limit(256 * KB);
        execl("/proc/self/exe", argv[0], "recurse", (char *)0);
        _exit(102);
    }
    char how[64];
    status_of(pid, how, sizeof how);
    printf("execve under a 256 KiB limit, then recursion: %s\n", how);
    return 0;
}
