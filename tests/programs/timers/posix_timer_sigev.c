/* How a POSIX timer notifies. SIGEV_NONE: nothing is ever sent, timer_gettime
   tells the time left (0 once a one-shot timer has expired; a periodic one
   is moved on, so never 0). SIGEV_THREAD_ID: the signal goes to that thread
   of the process (G3: a thread's own pending set), whatever the other
   threads block; a thread of another process is EINVAL. SIGEV_THREAD: libc
   runs the function in a thread of its own (on top of SIGEV_THREAD_ID). */
#include "timer_util.h"
#include <pthread.h>
#include <sys/wait.h>

static volatile pid_t target_tid, handled_by;
static volatile int ready;

static void on_usr1(int sig, siginfo_t *si, void *uc) {
    (void)sig; (void)uc;
    handled_by = (pid_t)syscall(SYS_gettid);
    h_code = si->si_code;
    h_value = si->si_value.sival_int;
    hits++;
}

static void *waiter(void *arg) {
    (void)arg;
    sigset_t none;
    sigemptyset(&none);
    target_tid = (pid_t)syscall(SYS_gettid);
    ready = 1;
    while (!hits) sigsuspend(&none);   /* SIGUSR1 is blocked in this thread too, except here */
    return NULL;
}

static volatile int thread_calls, thread_value;
static volatile pid_t thread_runner;

static void notify(union sigval v) {
    thread_value = v.sival_int;
    thread_runner = (pid_t)syscall(SYS_gettid);
    thread_calls++;
}

int main(void) {
    sigset_t old, pending;
    /* SIGEV_NONE */
    struct sigevent sev;
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_NONE;
    timer_t t;
    printf("SIGEV_NONE create: %d\n", timer_create(CLOCK_MONOTONIC, &sev, &t));
    struct itimerspec its = spec_ms(100, 0), cur;
    timer_settime(t, 0, &its, NULL);
    timer_gettime(t, &cur);
    printf("one-shot 100 ms: 0 < left <= 100 ms %d\n", ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 100 * MS);
    long before = ts_ns(cur.it_value);
    sleep_ms(30);
    timer_gettime(t, &cur);
    printf("30 ms later: less left %d\n", ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) < before);
    sleep_ms(100);
    timer_gettime(t, &cur);
    sigpending(&pending);
    printf("expired: left %ld, interval %ld, nothing pending %d\n", ts_ns(cur.it_value), ts_ns(cur.it_interval),
           sigisemptyset(&pending));
    its = spec_ms(30, 20);
    timer_settime(t, 0, &its, NULL);
    sleep_ms(101);
    timer_gettime(t, &cur);
    printf("periodic 30/20 ms, 101 ms later: 0 < left <= 20 ms %d, interval %ld, timer_getoverrun %d\n",
           ts_ns(cur.it_value) > 0 && ts_ns(cur.it_value) <= 20 * MS, ts_ns(cur.it_interval), timer_getoverrun(t));
    timer_delete(t);

    /* SIGEV_THREAD_ID */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_usr1;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR1, &sa, NULL);
    block(SIGUSR1, &old);                 /* the thread inherits the mask */
    pthread_t th;
    pthread_create(&th, NULL, waiter, NULL);
    while (!ready) sleep_ms(1);
    sev = signal_event(SIGUSR1, 3);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_notify_thread_id = target_tid;
    printf("SIGEV_THREAD_ID create: %d\n", timer_create(CLOCK_MONOTONIC, &sev, &t));
    its = spec_ms(30, 0);
    timer_settime(t, 0, &its, NULL);
    pthread_join(th, NULL);
    printf("delivered to that thread %d, not to main %d, SI_TIMER %d, value %d\n", handled_by == target_tid,
           handled_by != getpid(), h_code == SI_TIMER, h_value);
    timer_delete(t);

    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        pause();
        _exit(0);
    }
    sev.sigev_notify_thread_id = child;
    errno = 0;
    printf("another process's thread: %d EINVAL %d\n", timer_create(CLOCK_MONOTONIC, &sev, &t), errno == EINVAL);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);

    /* SIGEV_THREAD */
    memset(&sev, 0, sizeof sev);
    sev.sigev_notify = SIGEV_THREAD;
    sev.sigev_notify_function = notify;
    sev.sigev_value.sival_int = 11;
    printf("SIGEV_THREAD create: %d\n", timer_create(CLOCK_MONOTONIC, &sev, &t));
    its = spec_ms(20, 20);
    timer_settime(t, 0, &its, NULL);
    while (thread_calls < 3) sleep_ms(5);
    its = spec_ms(0, 0);
    timer_settime(t, 0, &its, NULL);
    printf("function ran 3 times or more %d, value %d, in another thread %d\n", thread_calls >= 3, thread_value,
           thread_runner != getpid());
    printf("timer_delete: %d\n", timer_delete(t));
    return 0;
}
