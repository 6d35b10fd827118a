/* Issue 15 (POSIX message queues): mq_notify with SIGEV_SIGNAL queues the
   signal with si_code SI_MESGQ, the sigev_value and the sending process's
   pid and uid when a message arrives in an empty queue, once (the
   registration is used up); not when the queue already held a message,
   nor when a receiver was waiting for it (the registration stays). One
   process at a time (EBUSY); mq_notify(NULL) from another process does
   nothing, from the owner unregisters; the owner closing any descriptor of
   the queue unregisters; SIGEV_NONE registers without a signal; signal 0 is
   accepted and sends nothing. EINVAL for a bad sigev_notify or signal,
   EBADF for a descriptor that is not a queue; the raw SIGEV_THREAD call
   wants a netlink socket in sigev_signo (ENOTSOCK, EBADF). */
#include "mq_util.h"
#include <sys/syscall.h>

#define NAME "/proclab_mq_notify"

/* Run `what` in a child: "label: result" printed by the child. */
#define IN_CHILD(label, what)                                              \
    do {                                                                   \
        pid_t p_ = fork();                                                 \
        if (p_ == 0) {                                                     \
            MQSHOW(label, what);                                           \
            _exit(0);                                                      \
        }                                                                  \
        waitpid(p_, NULL, 0);                                              \
    } while (0)

static struct sigevent sig_event(int signo, int value)
{
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_SIGNAL;
    ev.sigev_signo = signo;
    ev.sigev_value.sival_int = value;
    return ev;
}

/* The pending SIGUSR1, if any, as "label: ..." */
static void take_signal(const char *label, pid_t sender)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    siginfo_t si;
    struct timespec zero = { 0, 0 };
    int sig = sigtimedwait(&set, &si, &zero);
    if (sig < 0) {
        printf("%s: no signal (%s)\n", label, mq_ename(errno));
        return;
    }
    printf("%s: signal %s code %s value %d pid is the sender %d uid %d\n", label,
           sig == SIGUSR1 ? "SIGUSR1" : "other", si.si_code == SI_MESGQ ? "SI_MESGQ" : "other",
           si.si_value.sival_int, si.si_pid == sender, (int)si.si_uid);
}

static pid_t send_from_child(mqd_t q, const char *text)
{
    pid_t pid = fork();
    if (pid == 0) {
        mq_send(q, text, strlen(text), 0);
        _exit(0);
    }
    waitpid(pid, NULL, 0);
    return pid;
}

static void drain(mqd_t q)
{
    char buf[64];
    struct mq_attr a;
    while (mq_getattr(q, &a) == 0 && a.mq_curmsgs > 0)
        mq_receive(q, buf, sizeof buf, NULL);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    sigprocmask(SIG_BLOCK, &usr1, NULL);
    mq_unlink(NAME);
    struct mq_attr attr = { 0, 4, 64, 0 };
    mqd_t q = mq_open(NAME, O_CREAT | O_RDWR, 0600, &attr);
    MQSHOW_OK("create", q);

    struct sigevent ev = sig_event(SIGUSR1, 42);
    MQSHOW("register SIGUSR1", mq_notify(q, &ev));
    IN_CHILD("another process registers", mq_notify(q, &ev));
    IN_CHILD("another process unregisters", mq_notify(q, NULL));
    IN_CHILD("still registered", mq_notify(q, &ev));
    pid_t sender = send_from_child(q, "first");
    take_signal("first message", sender);
    sender = send_from_child(q, "second");
    take_signal("second message", sender);
    IN_CHILD("registration used up: a child registers", mq_notify(q, &ev));
    drain(q);

    /* not on a queue that already holds a message */
    mq_send(q, "already", 7, 0);
    ev = sig_event(SIGUSR1, 7);
    MQSHOW("register with one queued", mq_notify(q, &ev));
    sender = send_from_child(q, "more");
    take_signal("queue was not empty", sender);
    IN_CHILD("still registered", mq_notify(q, &ev));
    drain(q);
    sender = send_from_child(q, "now");
    take_signal("queue was empty", sender);
    drain(q);

    /* not when a receiver waits: the message goes to the receiver */
    MQSHOW("register again", mq_notify(q, &ev));
    pid_t receiver = fork();
    if (receiver == 0) {
        mq_show_receive("waiting receiver", q, 64);
        _exit(0);
    }
    usleep(50000);
    sender = send_from_child(q, "direct");
    waitpid(receiver, NULL, 0);
    take_signal("receiver was waiting", sender);
    IN_CHILD("still registered", mq_notify(q, &ev));
    MQSHOW("owner unregisters", mq_notify(q, NULL));
    MQSHOW("owner unregisters again", mq_notify(q, NULL));
    sender = send_from_child(q, "unregistered");
    take_signal("after unregistering", sender);
    drain(q);

    /* closing any of the owner's descriptors unregisters */
    MQSHOW("register", mq_notify(q, &ev));
    mqd_t q2 = mq_open(NAME, O_RDONLY);
    MQSHOW("close a second descriptor", mq_close(q2));
    sender = send_from_child(q, "after close");
    take_signal("after the close", sender);
    drain(q);
    /* a child closing its inherited descriptor does not */
    MQSHOW("register", mq_notify(q, &ev));
    IN_CHILD("child closes its copy", mq_close(q));
    sender = send_from_child(q, "child closed");
    take_signal("after the child's close", sender);
    drain(q);

    /* SIGEV_NONE and signal 0: registered, nothing sent */
    struct sigevent none;
    memset(&none, 0, sizeof none);
    none.sigev_notify = SIGEV_NONE;
    MQSHOW("register SIGEV_NONE", mq_notify(q, &none));
    IN_CHILD("another process registers", mq_notify(q, &ev));
    sender = send_from_child(q, "none");
    take_signal("SIGEV_NONE", sender);
    IN_CHILD("used up: a child registers", mq_notify(q, &ev));
    drain(q);
    ev = sig_event(0, 1);
    MQSHOW("register signal 0", mq_notify(q, &ev));
    sender = send_from_child(q, "zero");
    take_signal("signal 0", sender);
    IN_CHILD("used up: a child registers", mq_notify(q, &ev));
    drain(q);

    /* errors */
    ev = sig_event(SIGUSR1, 0);
    ev.sigev_notify = 99;
    MQSHOW("sigev_notify 99", mq_notify(q, &ev));
    ev = sig_event(65, 0);
    MQSHOW("signal 65", mq_notify(q, &ev));
    ev = sig_event(-1, 0);
    MQSHOW("signal -1", mq_notify(q, &ev));
    int p[2];
    pipe(p);
    ev = sig_event(SIGUSR1, 0);
    MQSHOW("on a pipe", mq_notify(p[0], &ev));
    MQSHOW("on a closed fd", mq_notify(200, &ev));
    static char cookie[32];
    struct sigevent th;
    memset(&th, 0, sizeof th);
    th.sigev_notify = SIGEV_THREAD;
    th.sigev_value.sival_ptr = cookie;
    th.sigev_signo = p[0];
    MQSHOW("raw SIGEV_THREAD, a pipe as the socket", syscall(SYS_mq_notify, q, &th));
    th.sigev_signo = 200;
    MQSHOW("raw SIGEV_THREAD, a closed fd as the socket", syscall(SYS_mq_notify, q, &th));
    close(p[0]);
    close(p[1]);

    MQSHOW("close", mq_close(q));
    MQSHOW("unlink", mq_unlink(NAME));
    return 0;
}
