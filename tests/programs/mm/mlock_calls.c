/* Issue 15 item 3: mlock, mlock2, munlock, mlockall, munlockall. Locking
   faults the pages in (mincore shows them) unless ONFAULT; bad flags give
   EINVAL, unmapped ranges ENOMEM; MCL_FUTURE locks later mappings. Root has
   CAP_IPC_LOCK; an unprivileged child is held to RLIMIT_MEMLOCK (ENOMEM,
   EAGAIN for MAP_LOCKED, EPERM with a zero limit). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PG 4096
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

static char *map(int pages, int flags)
{
    return mmap(0, pages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
}

static void show(const char *what, long r)
{
    printf("%s: %s\n", what, r == 0 ? "0" : strerror(errno));
}

static void resident(const char *what, char *p, int pages)
{
    unsigned char v[16];
    char s[17];
    mincore(p, pages * PG, v);
    for (int i = 0; i < pages; i++)
        s[i] = '0' + (v[i] & 1);
    s[pages] = 0;
    printf("%s: %s\n", what, s);
}

static long mlock2_(void *p, size_t len, int flags)
{
    return syscall(SYS_mlock2, p, len, flags);
}

static void unprivileged(void)
{
    struct rlimit rl = { 2 * PG, 2 * PG };
    setrlimit(RLIMIT_MEMLOCK, &rl);
    if (setuid(65534) != 0)
        return;
    char *p = map(8, 0);
    show("user mlock 1 page", mlock(p, PG));
    show("user mlock 3 more pages", mlock(p + PG, 3 * PG));
    show("user mlock the same page again", mlock(p, PG));
    show("user mlock 2 pages, 1 already locked", mlock(p, 2 * PG));
    show("user mlock a third page", mlock(p + 2 * PG, PG));
    show("user mlockall(MCL_CURRENT)", mlockall(MCL_CURRENT));
    errno = 0;
    printf("user mmap MAP_LOCKED: %s\n", map(4, MAP_LOCKED) == MAP_FAILED ? strerror(errno) : "mapped");
    show("user munlock", munlock(p, 8 * PG));
    show("user mlockall(MCL_FUTURE)", mlockall(MCL_FUTURE));
    resident("user new mapping under MCL_FUTURE", map(2, 0), 2);
    errno = 0;
    printf("user mmap 4 pages under MCL_FUTURE: %s\n", map(4, 0) == MAP_FAILED ? strerror(errno) : "mapped");
    show("user munlockall", munlockall());
    rl.rlim_cur = 0;
    setrlimit(RLIMIT_MEMLOCK, &rl);
    show("user mlock with a zero limit", mlock(p, PG));
    show("user mlockall with a zero limit", mlockall(MCL_FUTURE));
    show("user munlock with a zero limit", munlock(p, PG));
}

int main(void)
{
    char *p = map(4, 0);
    show("mlock 3 pages", mlock(p, 3 * PG));
    resident("after mlock", p, 4);
    show("munlock", munlock(p, 4 * PG));
    char *q = map(4, 0);
    show("mlock2 MLOCK_ONFAULT", mlock2_(q, 4 * PG, MLOCK_ONFAULT));
    resident("after mlock2 ONFAULT", q, 4);
    q[PG] = 1;
    resident("after a write", q, 4);
    show("mlock2 flags 2", mlock2_(q, PG, 2));
    show("mlock2 0", mlock2_(q + 3 * PG, PG, 0));
    resident("after mlock2 0", q, 4);
    show("mlock unaligned 1 byte", mlock(p + 3 * PG + 100, 1));
    resident("after it", p, 4);
    munmap(p + PG, PG);
    show("mlock across a hole", mlock(p, 3 * PG));
    show("mlock an unmapped page", mlock(p + PG, PG));
    show("munlock an unmapped page", munlock(p + PG, PG));
    show("mlock length 0", mlock(p + PG, 0));
    show("mlockall(0)", mlockall(0));
    show("mlockall(MCL_ONFAULT)", mlockall(MCL_ONFAULT));
    show("mlockall(8)", mlockall(8));
    show("mlockall(MCL_CURRENT | MCL_FUTURE)", mlockall(MCL_CURRENT | MCL_FUTURE));
    resident("new mapping under MCL_FUTURE", map(3, 0), 3);
    show("munlockall", munlockall());
    resident("new mapping after munlockall", map(3, 0), 3);
    show("mlockall(MCL_FUTURE | MCL_ONFAULT)", mlockall(MCL_FUTURE | MCL_ONFAULT));
    resident("new mapping under MCL_ONFAULT", map(3, 0), 3);
    show("munlockall", munlockall());
    resident("MAP_LOCKED mapping", map(2, MAP_LOCKED), 2);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        resident("child of a locked mapping", q, 4);
        unprivileged();
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child status %d\n", st);
    return 0;
}
