/* POSIX timers belong to the process. fork does not copy them (F5): the
   child's timer_gettime on the parent's ids is EINVAL and its first timer is
   id 0 again, while the parent's timers run on. exec deletes them and drops
   their queued signals -- other pending signals and the mask stay (E2) --
   yet the id counter goes on. Threads share them: one thread's timer is
   another's to read and delete. A process that exits with armed timers
   just goes. */
#include "timer_util.h"
#include <pthread.h>
#include <stdlib.h>
#include <sys/wait.h>

static timer_t shared;

static void *thread_reads(void *arg) {
    (void)arg;
    struct itimerspec cur;
    int g = timer_gettime(shared, &cur);
    printf("another thread: timer_gettime %d, armed %d, timer_delete %d\n", g, ts_ns(cur.it_value) > 0,
           timer_delete(shared));
    return NULL;
}

int main(int argc, char **argv) {
    struct itimerspec cur, its;
    if (argc > 1) {                          /* after exec */
        sigset_t pending, mask;
        sigpending(&pending);
        sigprocmask(SIG_BLOCK, NULL, &mask);
        printf("after exec: timer signal SIGUSR1 pending %d, raised SIGUSR2 pending %d, both blocked %d\n",
               sigismember(&pending, SIGUSR1), sigismember(&pending, SIGUSR2),
               sigismember(&mask, SIGUSR1) && sigismember(&mask, SIGUSR2));
        errno = 0;
        printf("timer 0: %d EINVAL %d\n", timer_gettime(tid_of(0), &cur), errno == EINVAL);
        errno = 0;
        printf("timer 2: %d EINVAL %d\n", timer_gettime(tid_of(2), &cur), errno == EINVAL);
        timer_t t;
        timer_create(CLOCK_MONOTONIC, NULL, &t);
        printf("next id: %d\n", kid(t));
        return 0;
    }
    sigset_t old;
    catch_signal(SIGUSR1);
    block(SIGUSR1, &old);
    struct sigevent sev = signal_event(SIGUSR1, 1);
    timer_t t0, t1;
    timer_create(CLOCK_MONOTONIC, &sev, &t0);
    timer_create(CLOCK_REALTIME, NULL, &t1);
    its = spec_ms(10000, 0);
    timer_settime(t0, 0, &its, NULL);
    printf("parent: ids %d %d\n", kid(t0), kid(t1));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        errno = 0;
        int g0 = timer_gettime(t0, &cur);
        int e0 = errno == EINVAL;
        errno = 0;
        int g1 = timer_gettime(t1, &cur);
        int e1 = errno == EINVAL;
        timer_t c;
        timer_create(CLOCK_MONOTONIC, &sev, &c);  /* SIGUSR1: blocked, as in the parent */
        printf("child: timer_gettime(%d) %d EINVAL %d, timer_gettime(%d) %d EINVAL %d, first id %d\n",
               kid(t0), g0, e0, kid(t1), g1, e1, kid(c));
        its = spec_ms(5, 5);
        timer_settime(c, 0, &its, NULL);     /* exits with it armed */
        sleep_ms(20);
        exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    timer_gettime(t0, &cur);
    printf("parent after the child: still armed %d; child exited %d\n", ts_ns(cur.it_value) > 0,
           WIFEXITED(st) && WEXITSTATUS(st) == 0);

    timer_create(CLOCK_MONOTONIC, NULL, &shared);
    timer_settime(shared, 0, &its, NULL);
    pthread_t th;
    pthread_create(&th, NULL, thread_reads, NULL);
    pthread_join(th, NULL);
    errno = 0;
    printf("main thread after: %d EINVAL %d\n", timer_gettime(shared, &cur), errno == EINVAL);

    timer_t t3;
    timer_create(CLOCK_MONOTONIC, &sev, &t3);
    its = spec_ms(10, 0);
    timer_settime(t3, 0, &its, NULL);
    sleep_ms(40);
    block(SIGUSR2, NULL);
    raise(SIGUSR2);
    sigset_t pending;
    sigpending(&pending);
    printf("before exec: SIGUSR1 pending %d, SIGUSR2 pending %d\n", sigismember(&pending, SIGUSR1),
           sigismember(&pending, SIGUSR2));
    fflush(stdout);
    execl(argv[0], argv[0], "after", (char *)NULL);
    return 127;
}
