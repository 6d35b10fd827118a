/* F5 (rlimits): setrlimit/getrlimit/prlimit64 round trips; prlimit64 returns
   the old value while setting a new one and works on another process (a
   child); soft > hard is EINVAL, an unknown resource is EINVAL, a pid that
   does not exist is ESRCH; limits are inherited by
   fork and shared by the threads of a process (they live in the signal
   struct). Only values the test sets itself are printed. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct rl64 { unsigned long long cur, max; };

static long prl(pid_t pid, int res, const struct rl64 *new, struct rl64 *old)
{
    long r = syscall(SYS_prlimit64, pid, res, new, old);
    return r < 0 ? -errno : r;
}

static void *thread_sets(void *a)
{
    (void)a;
    struct rlimit rl = {111, 222};
    setrlimit(RLIMIT_MSGQUEUE, &rl);
    return 0;
}

static const char *err(long r)
{
    return r == 0 ? "ok" : r == -EINVAL ? "EINVAL" : r == -ESRCH ? "ESRCH" : r == -EPERM ? "EPERM" : "other";
}

int main(void)
{
    struct rlimit rl, got;
    rl.rlim_cur = 100; rl.rlim_max = 200;
    printf("setrlimit CORE 100/200: %s\n", err(setrlimit(RLIMIT_CORE, &rl) ? -errno : 0));
    getrlimit(RLIMIT_CORE, &got);
    printf("getrlimit CORE: %ld/%ld\n", (long)got.rlim_cur, (long)got.rlim_max);

    struct rl64 n = {150, 200}, o = {0, 0};
    long r0 = prl(0, RLIMIT_CORE, &n, &o);
    printf("prlimit64 set CORE 150/200: %s, old %llu/%llu\n", err(r0), o.cur, o.max);
    prl(0, RLIMIT_CORE, 0, &o);
    printf("prlimit64 get CORE: %llu/%llu\n", o.cur, o.max);

    rl.rlim_cur = 300; rl.rlim_max = 200;
    printf("setrlimit soft > hard: %s\n", err(setrlimit(RLIMIT_CORE, &rl) ? -errno : 0));
    n.cur = 201; n.max = 200;
    printf("prlimit64 soft > hard: %s\n", err(prl(0, RLIMIT_CORE, &n, 0)));
    printf("prlimit64 unknown resource 99: %s\n", err(prl(0, 99, 0, &o)));
    printf("prlimit64 pid that does not exist: %s\n", err(prl(0x7ffffff0, RLIMIT_CORE, 0, &o)));
    getrlimit(RLIMIT_CORE, &got);
    printf("after the failures CORE is still %ld/%ld\n", (long)got.rlim_cur, (long)got.rlim_max);

    rl.rlim_cur = 20; rl.rlim_max = 20;
    printf("lowering the hard limit to the soft one: %s\n", err(setrlimit(RLIMIT_CORE, &rl) ? -errno : 0));
    getrlimit(RLIMIT_CORE, &got);
    printf("CORE now %ld/%ld\n", (long)got.rlim_cur, (long)got.rlim_max);
    struct rlimit saved;
    getrlimit(RLIMIT_NPROC, &saved);
    rl.rlim_cur = 7; rl.rlim_max = saved.rlim_max;
    setrlimit(RLIMIT_NPROC, &rl);   /* root is not limited by it */
    getrlimit(RLIMIT_NPROC, &got);
    printf("NPROC soft round trip: %ld, hard unchanged %d\n", (long)got.rlim_cur, got.rlim_max == saved.rlim_max);
    setrlimit(RLIMIT_NPROC, &saved);

    /* another process: a child waiting on a pipe */
    int p[2], q[2];
    pipe(p);
    pipe(q);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        getrlimit(RLIMIT_CORE, &got);
        int inherited = got.rlim_cur == 20 && got.rlim_max == 20;
        write(q[1], "r", 1);
        read(p[0], &c, 1);
        getrlimit(RLIMIT_CORE, &got);
        _exit(inherited * 100 + (got.rlim_cur == 5 && got.rlim_max == 6));
    }
    char c;
    read(q[0], &c, 1);
    n.cur = 5; n.max = 6;
    o.cur = o.max = 0;
    long r = prl(pid, RLIMIT_CORE, &n, &o);
    printf("prlimit64 on the child: %s, its old limit %llu/%llu\n", err(r), o.cur, o.max);
    write(p[1], "g", 1);
    int st;
    waitpid(pid, &st, 0);
    printf("child inherited CORE %d, saw the new 5/6 %d\n", WEXITSTATUS(st) / 100, WEXITSTATUS(st) % 100);

    /* threads share them */
    pthread_t t;
    pthread_create(&t, 0, thread_sets, 0);
    pthread_join(t, 0);
    getrlimit(RLIMIT_MSGQUEUE, &got);
    printf("a thread's setrlimit seen by main: %ld/%ld\n", (long)got.rlim_cur, (long)got.rlim_max);
    return 0;
}
