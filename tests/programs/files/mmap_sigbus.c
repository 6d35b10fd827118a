/* M1, X1, issue 5 (file mappings past EOF): a file of 4196 bytes mapped over
   three pages: page 1 holds its last 100 bytes and zeros after them, and
   page 2, wholly past EOF, raises SIGBUS (si_code BUS_ADRERR, si_addr the
   byte touched) for a load and for a store. ftruncate growing the file makes
   page 2 usable (zeros), shrinking it to 0 makes page 0 raise SIGBUS, also in
   a MAP_PRIVATE mapping. With SIGBUS at its default action, a child dies of
   signal 7. */
#include <setjmp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include "files_util.h"

enum { PAGE = 4096 };
static sigjmp_buf env;
static volatile int code;
static void *volatile addr;

static void on_bus(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    code = si->si_code;
    addr = si->si_addr;
    siglongjmp(env, 1);
}

static void probe(const char *label, volatile char *p, int store)
{
    code = 0;
    addr = 0;
    if (sigsetjmp(env, 1) == 0) {
        int v = store ? (*p = 1) : *p;
        printf("%s: ok, value %d\n", label, v);
    } else {
        printf("%s: SIGBUS, BUS_ADRERR %d, at the byte %d\n", label, code == BUS_ADRERR, addr == (void *)p);
    }
}

int main(void)
{
    enter_tmpdir();
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, 0);

    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    ftruncate(fd, PAGE + 100);
    pwrite(fd, "last", 4, PAGE + 96);
    char *m = mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *pm = mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    printf("page 1 holds \"%.4s\" then %d\n", m + PAGE + 96, m[PAGE + 100]);
    probe("load from the last byte of page 1", m + 2 * PAGE - 1, 0);
    probe("load from page 2", m + 2 * PAGE + 5, 0);
    probe("store to page 2", m + 2 * PAGE + 6, 1);
    probe("load from page 2, private mapping", pm + 2 * PAGE, 0);

    ftruncate(fd, 3 * PAGE);
    probe("after ftruncate to 3 pages, load from page 2", m + 2 * PAGE + 5, 0);
    probe("  store to page 2", m + 2 * PAGE + 6, 1);
    char c = 0;
    pread(fd, &c, 1, 2 * PAGE + 6);
    printf("  the file got it: %d\n", c);

    ftruncate(fd, 0);
    probe("after ftruncate to 0, load from page 0", m, 0);
    probe("  private mapping, page 0", pm + 10, 0);

    signal(SIGBUS, SIG_DFL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_DUMPABLE, 0);                 /* no core file */
        volatile char v = m[0];
        (void)v;
        _exit(0);
    }
    printf("with SIG_DFL: %s\n", reap(pid));
    leave_tmpdir();
    return 0;
}
