/* X2 (futex, what CLEARTID and pthreads build on): FUTEX_WAIT returns
   EAGAIN when the word does not hold the expected value, ETIMEDOUT after its
   timeout, EINVAL on a misaligned word; FUTEX_WAKE returns how many it woke
   (0 with no waiter, never more than asked); unknown commands are ENOSYS.
   Private (FUTEX_*_PRIVATE) and shared variants both work between threads,
   and the shared ones work between processes on a MAP_SHARED page. */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long futex(int *uaddr, int op, int val, const struct timespec *ts)
{
    long r = syscall(SYS_futex, uaddr, op, val, ts, 0, 0);
    return r < 0 ? -errno : r;
}

static int word;
static int woken_flags[3];
static int private_op;

static void *waiter(void *a)
{
    long i = (long)a;
    long r = futex(&word, FUTEX_WAIT | private_op, 0, 0);   /* word stays 0: only a wake ends it */
    woken_flags[i] = r == 0;
    return 0;
}

static void wake_one_by_one(const char *what, int op_flag)
{
    pthread_t t[3];
    private_op = op_flag;
    for (long i = 0; i < 3; i++) pthread_create(&t[i], 0, waiter, (void *)i);
    int total = 0, max = 0, calls = 0;
    while (total < 3 && calls < 10000000) {
        long r = futex(&word, FUTEX_WAKE | op_flag, 1, 0);
        if (r > max) max = (int)r;
        total += (int)r;
        calls++;
        if (r == 0) sched_yield();
    }
    for (int i = 0; i < 3; i++) pthread_join(t[i], 0);
    printf("%s: woke %d waiters, at most %d per FUTEX_WAKE(1), each returned 0: %d\n", what, total, max,
           woken_flags[0] && woken_flags[1] && woken_flags[2]);
}

int main(void)
{
    word = 1;
    printf("WAIT with a stale value: %s\n", futex(&word, FUTEX_WAIT, 0, 0) == -EAGAIN ? "EAGAIN" : "other");
    printf("WAIT_PRIVATE with a stale value: %s\n",
           futex(&word, FUTEX_WAIT_PRIVATE, 0, 0) == -EAGAIN ? "EAGAIN" : "other");
    struct timespec ts = {0, 20 * 1000 * 1000};
    printf("WAIT with a 20 ms timeout: %s\n", futex(&word, FUTEX_WAIT, 1, &ts) == -ETIMEDOUT ? "ETIMEDOUT" : "other");
    printf("WAIT on a misaligned word: %s\n",
           futex((int *)((char *)&word + 1), FUTEX_WAIT, 1, 0) == -EINVAL ? "EINVAL" : "other");
    printf("WAKE with no waiter: %ld\n", futex(&word, FUTEX_WAKE, INT_MAX, 0));
    printf("unknown futex command: %s\n", futex(&word, 99, 0, 0) == -ENOSYS ? "ENOSYS" : "other");

    word = 0;
    wake_one_by_one("shared ops, threads", 0);
    wake_one_by_one("private ops, threads", FUTEX_PRIVATE_FLAG);

    /* between processes on a shared page */
    int *shared = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *shared = 0;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) _exit(futex(shared, FUTEX_WAIT, 0, 0) == 0 ? 0 : 1);
    long r = 0;
    for (int i = 0; i < 10000000 && r == 0; i++) {
        r = futex(shared, FUTEX_WAKE, 1, 0);
        if (r == 0) sched_yield();
    }
    int st;
    waitpid(pid, &st, 0);
    printf("shared page across fork: the parent's WAKE woke the child's WAIT: %ld, child saw 0: %d\n", r,
           WEXITSTATUS(st) == 0);
    return 0;
}
