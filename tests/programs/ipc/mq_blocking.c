/* Issue 15 (POSIX message queues): a receiver sleeping on an empty queue
   gets the message sent later (handed over directly: the queue stays
   empty), a sender sleeping on a full queue completes when a message is
   taken (its message queued behind); poll sleeps until a message arrives;
   mq_timedreceive/mq_timedsend give ETIMEDOUT at an absolute CLOCK_REALTIME
   time (at once for a time already past, and only when they would have to
   wait), EINVAL for an invalid timespec even when a message is there; a
   signal handler ends a wait with EINTR, or restarts it with SA_RESTART. */
#include "mq_util.h"
#include <sys/time.h>

#define NAME "/proclab_mq_blocking"

static volatile sig_atomic_t handled;
static void on_alarm(int sig) { (void)sig; handled++; }

static void arm(int restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = restart ? SA_RESTART : 0;
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { {0, 0}, {0, 50000} };
    setitimer(ITIMER_REAL, &it, NULL);
}

static void curmsgs(const char *label, mqd_t q)
{
    struct mq_attr a;
    mq_getattr(q, &a);
    printf("%s: curmsgs %ld\n", label, a.mq_curmsgs);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    mq_unlink(NAME);
    struct mq_attr attr = { 0, 2, 16, 0 };
    mqd_t q = mq_open(NAME, O_CREAT | O_RDWR, 0600, &attr);
    MQSHOW_OK("create 2 x 16", q);
    int st;

    /* a sleeping receiver */
    pid_t pid = fork();
    if (pid == 0) {
        mq_show_receive("child woke with", q, 16);
        _exit(0);
    }
    usleep(50000);
    MQSHOW("send to the sleeping child", mq_send(q, "wake up", 7, 3));
    waitpid(pid, &st, 0);
    show_status("receiver", st);
    curmsgs("after the hand-over", q);

    /* a sleeping sender */
    mq_send(q, "one", 3, 1);
    mq_send(q, "two", 3, 1);
    pid = fork();
    if (pid == 0) {
        MQSHOW("child's send on a full queue", mq_send(q, "three", 5, 1));
        _exit(0);
    }
    usleep(50000);
    curmsgs("while the child waits", q);
    mq_show_receive("receive", q, 16);
    waitpid(pid, &st, 0);
    show_status("sender", st);
    curmsgs("after the sender", q);
    mq_show_receive("receive", q, 16);
    mq_show_receive("receive", q, 16);

    /* poll sleeps until a message comes */
    pid = fork();
    if (pid == 0) {
        struct pollfd p = { q, POLLIN, 0 };
        int n = poll(&p, 1, 5000);
        printf("child's poll: %d%s\n", n, p.revents & POLLIN ? " POLLIN" : "");
        _exit(0);
    }
    usleep(50000);
    MQSHOW("send to the poller", mq_send(q, "polled", 6, 0));
    waitpid(pid, &st, 0);
    show_status("poller", st);
    mq_show_receive("receive", q, 16);

    /* timeouts */
    struct timespec soon = mq_in_ms(60), past = { 1, 0 }, bad = { 0, 1000000000L }, t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    MQSHOW("timedreceive empty, 60 ms", mq_timedreceive(q, (char[16]){0}, 16, NULL, &soon));
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("waited at least 60 ms: %d\n", (t1.tv_sec - t0.tv_sec) * 1000000000L + t1.tv_nsec - t0.tv_nsec >= 59000000L);
    MQSHOW("timedreceive empty, in the past", mq_timedreceive(q, (char[16]){0}, 16, NULL, &past));
    MQSHOW("timedreceive empty, bad timespec", mq_timedreceive(q, (char[16]){0}, 16, NULL, &bad));
    mq_send(q, "a", 1, 0);
    MQSHOW("timedreceive with a message, in the past", mq_timedreceive(q, (char[16]){0}, 16, NULL, &past));
    mq_send(q, "a", 1, 0);
    MQSHOW("timedreceive with a message, bad timespec", mq_timedreceive(q, (char[16]){0}, 16, NULL, &bad));
    mq_send(q, "b", 1, 0);
    soon = mq_in_ms(60);
    MQSHOW("timedsend full, 60 ms", mq_timedsend(q, "c", 1, 0, &soon));
    MQSHOW("timedsend full, in the past", mq_timedsend(q, "c", 1, 0, &past));
    struct timespec negative = { -1, 0 };
    MQSHOW("timedsend full, negative", mq_timedsend(q, "c", 1, 0, &negative));
    mq_show_receive("receive", q, 16);
    MQSHOW("timedsend with room, in the past", mq_timedsend(q, "d", 1, 0, &past));
    mq_show_receive("receive", q, 16);
    mq_show_receive("receive", q, 16);

    /* signals */
    arm(0);
    MQSHOW("receive, SIGALRM without SA_RESTART", mq_receive(q, (char[16]){0}, 16, NULL));
    printf("handled: %d\n", (int)handled);
    pid = fork();
    if (pid == 0) {
        usleep(300000);
        mq_send(q, "late", 4, 0);
        _exit(0);
    }
    arm(1);
    mq_show_receive("receive, SIGALRM with SA_RESTART", q, 16);
    printf("handled: %d\n", (int)handled);
    waitpid(pid, &st, 0);
    show_status("late sender", st);
    mq_send(q, "x", 1, 0);
    mq_send(q, "y", 1, 0);
    arm(0);
    MQSHOW("send full, SIGALRM without SA_RESTART", mq_send(q, "z", 1, 0));
    printf("handled: %d\n", (int)handled);

    MQSHOW("close", mq_close(q));
    MQSHOW("unlink", mq_unlink(NAME));
    return 0;
}
