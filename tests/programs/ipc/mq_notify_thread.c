/* Issue 15 (POSIX message queues): mq_notify with SIGEV_THREAD.

   musl's mq_notify opens a netlink socket, starts a thread that registers
   it with the raw mq_notify (sigev_signo: the socket, sigev_value: a
   32-byte cookie) and waits in recv; when a message arrives in the empty
   queue the kernel sends the cookie, its last byte NOTIFY_WOKENUP (1), and
   the thread calls the user's function; unregistering (mq_notify(NULL),
   the owner closing a descriptor of the queue) sends NOTIFY_REMOVED (2)
   and the function is not called. The raw half checks what the kernel
   sends: the cookie as it was when registering, once; nothing for a
   message into a non-empty queue or after a failed registration; the
   netlink socket's recv, recvfrom, recvmsg, read, poll, MSG_DONTWAIT,
   O_NONBLOCK, MSG_PEEK, MSG_TRUNC and a short buffer; the errors of
   socket(AF_NETLINK) and of the raw registration. */
#include "mq_util.h"
#include <linux/netlink.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#define NAME "/proclab_mq_notify_thread"

static sem_t done;
static pthread_t main_thread;

static const char *nl_ename(int e)
{
    switch (e) {
    case ESOCKTNOSUPPORT: return "ESOCKTNOSUPPORT";
    case EPROTONOSUPPORT: return "EPROTONOSUPPORT";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    default: return mq_ename(e);
    }
}

#define NLSHOW(label, call)                                                \
    do {                                                                   \
        errno = 0;                                                         \
        long r_ = (long)(call);                                            \
        if (r_ < 0)                                                        \
            printf("%s: -1 %s\n", (label), nl_ename(errno));               \
        else                                                               \
            printf("%s: %ld\n", (label), r_);                              \
    } while (0)

static void notified(union sigval v)
{
    printf("notify function: value %d, in another thread %d\n", v.sival_int,
           !pthread_equal(pthread_self(), main_thread));
    sem_post(&done);
}

/* Is a process registered? A SIGEV_NONE registration answers (and is
   taken back at once). */
static void status(mqd_t q, const char *label)
{
    struct sigevent none;
    memset(&none, 0, sizeof none);
    none.sigev_notify = SIGEV_NONE;
    errno = 0;
    if (mq_notify(q, &none) == 0) {
        mq_notify(q, NULL);
        printf("%s: nobody registered\n", label);
    } else {
        printf("%s: registered (%s)\n", label, nl_ename(errno));
    }
}

static void drain(mqd_t q)
{
    char buf[64];
    struct mq_attr a;
    while (mq_getattr(q, &a) == 0 && a.mq_curmsgs > 0)
        mq_receive(q, buf, sizeof buf, NULL);
}

static char cookie[32];

static long raw_notify(mqd_t q, int sock, void *value)
{
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_signo = sock;
    ev.sigev_value.sival_ptr = value;
    return syscall(SYS_mq_notify, q, &ev);
}

/* One datagram from the socket: its length, its text, its last byte. */
static void take(const char *label, int s, size_t len, int flags)
{
    unsigned char buf[64];
    memset(buf, 0, sizeof buf);
    errno = 0;
    ssize_t n = recv(s, buf, len, flags);
    if (n < 0) {
        printf("%s: -1 %s\n", label, nl_ename(errno));
        return;
    }
    size_t shown = (size_t)n < len ? (size_t)n : len;
    printf("%s: %ld '%.*s' last byte %d\n", label, (long)n, shown >= 31 ? 31 : (int)shown, buf,
           shown == 32 ? buf[31] : -1);
}

static void show_poll(const char *label, int s)
{
    struct pollfd pfd = { s, POLLIN | POLLOUT, 0 };
    int r = poll(&pfd, 1, 0);
    printf("%s: %d revents%s%s\n", label, r, pfd.revents & POLLIN ? " POLLIN" : "",
           pfd.revents & POLLOUT ? " POLLOUT" : "");
}

/* Send `text` and wait for the notify function (printed after it). */
static void send_and_wait(mqd_t q, const char *text)
{
    if (mq_send(q, text, strlen(text), 0) != 0) {
        printf("send: -1 %s\n", nl_ename(errno));
        return;
    }
    sem_wait(&done);
    printf("send: 0, the function has run\n");
}

static void libc_half(mqd_t q)
{
    struct sigevent ev;
    memset(&ev, 0, sizeof ev);
    ev.sigev_notify = SIGEV_THREAD;
    ev.sigev_notify_function = notified;
    ev.sigev_value.sival_int = 42;
    MQSHOW("libc SIGEV_THREAD", mq_notify(q, &ev));
    status(q, "registered");
    MQSHOW("a second registration", mq_notify(q, &ev));
    send_and_wait(q, "hello");
    status(q, "after the notification");
    mq_show_receive("receive", q, 64);

    ev.sigev_value.sival_int = 7;
    MQSHOW("register value 7", mq_notify(q, &ev));
    MQSHOW("unregister", mq_notify(q, NULL));
    status(q, "unregistered");
    ev.sigev_value.sival_int = 8;
    MQSHOW("register value 8", mq_notify(q, &ev));
    send_and_wait(q, "again");
    drain(q);
}

static void raw_half(mqd_t q)
{
    NLSHOW("netlink SOCK_STREAM", socket(AF_NETLINK, SOCK_STREAM, 0));
    NLSHOW("netlink protocol 32", socket(AF_NETLINK, SOCK_RAW, 32));
    NLSHOW("netlink protocol -1", socket(AF_NETLINK, SOCK_RAW, -1));
    int sv[2];
    NLSHOW("netlink socketpair", socketpair(AF_NETLINK, SOCK_RAW, 0, sv));
    int d = socket(AF_NETLINK, SOCK_DGRAM, 0);
    printf("netlink SOCK_DGRAM: %s\n", d >= 0 ? "OK" : nl_ename(errno));
    close(d);

    int s = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, 0);
    printf("netlink SOCK_RAW: %s\n", s >= 0 ? "OK" : nl_ename(errno));
    struct stat st;
    fstat(s, &st);
    printf("fstat: socket %d mode %o\n", S_ISSOCK(st.st_mode), (unsigned)(st.st_mode & 07777));
    printf("flags: O_RDWR %d FD_CLOEXEC %d\n", (fcntl(s, F_GETFL) & O_ACCMODE) == O_RDWR,
           fcntl(s, F_GETFD) == FD_CLOEXEC);
    take("empty, MSG_DONTWAIT", s, 64, MSG_DONTWAIT);
    show_poll("poll empty", s);
    NLSHOW("shutdown netlink", shutdown(s, SHUT_RDWR));

    memcpy(cookie, "cookie-ABCDEFGHIJKLMNOPQRSTUVWXz", 32);
    NLSHOW("raw register", raw_notify(q, s, cookie));
    cookie[0] = 'C';     /* the kernel copied it when registering */
    status(q, "raw registered");
    take("nothing yet", s, 64, MSG_DONTWAIT);
    MQSHOW("send", mq_send(q, "m1", 2, 0));
    show_poll("poll after the message", s);
    take("woken up", s, 64, 0);
    status(q, "after the notification");
    take("only once", s, 64, MSG_DONTWAIT);

    NLSHOW("register, queue not empty", raw_notify(q, s, cookie));
    MQSHOW("send into a non-empty queue", mq_send(q, "m2", 2, 0));
    take("no notification", s, 64, MSG_DONTWAIT);
    NLSHOW("another registration", raw_notify(q, s, (void *)"other cookie, never sent........"));
    drain(q);
    MQSHOW("close a dup of the queue", close(dup(q)));
    take("removed by the close", s, 64, 0);
    status(q, "after the close");

    NLSHOW("register", raw_notify(q, s, cookie));
    MQSHOW("send", mq_send(q, "m3", 2, 0));
    take("a short buffer", s, 10, 0);
    take("the rest is lost", s, 64, MSG_DONTWAIT);
    drain(q);

    NLSHOW("register", raw_notify(q, s, cookie));
    NLSHOW("unregister", syscall(SYS_mq_notify, q, NULL));
    take("MSG_PEEK", s, 64, MSG_PEEK);
    take("MSG_TRUNC with 4 bytes", s, 4, MSG_TRUNC);

    NLSHOW("register", raw_notify(q, s, cookie));
    NLSHOW("unregister", syscall(SYS_mq_notify, q, NULL));
    struct sockaddr_nl nl;
    memset(&nl, 0xff, sizeof nl);
    socklen_t alen = sizeof nl + 4;
    unsigned char buf[64];
    NLSHOW("recvfrom", recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&nl, &alen));
    printf("from: len %u family %d pid %u groups %u\n", (unsigned)alen, nl.nl_family == AF_NETLINK,
           nl.nl_pid, nl.nl_groups);

    for (int round = 0; round < 2; round++) {
        NLSHOW("register", raw_notify(q, s, cookie));
        NLSHOW("unregister", syscall(SYS_mq_notify, q, NULL));
        unsigned char a[64], b[64];
        size_t part = round ? 8 : 16;
        struct iovec iov[2] = { { a, part }, { b, part } };
        struct msghdr mh;
        memset(&mh, 0, sizeof mh);
        mh.msg_name = &nl;
        mh.msg_namelen = sizeof nl;
        mh.msg_iov = iov;
        mh.msg_iovlen = 2;
        mh.msg_flags = -1;
        NLSHOW(round ? "recvmsg, 2 x 8 bytes" : "recvmsg, 2 x 16 bytes", recvmsg(s, &mh, 0));
        printf("msghdr: namelen %u flags MSG_TRUNC %d other %d, pieces '%.*s' '%.*s'\n",
               (unsigned)mh.msg_namelen, !!(mh.msg_flags & MSG_TRUNC), mh.msg_flags & ~MSG_TRUNC,
               (int)part, a, (int)part, b);
    }

    NLSHOW("register", raw_notify(q, s, cookie));
    NLSHOW("unregister", syscall(SYS_mq_notify, q, NULL));
    memset(buf, 0, sizeof buf);
    NLSHOW("read", read(s, buf, sizeof buf));
    printf("read: last byte %d\n", buf[31]);
    fcntl(s, F_SETFL, O_NONBLOCK);
    NLSHOW("read, O_NONBLOCK", read(s, buf, sizeof buf));
    take("recv, O_NONBLOCK", s, 64, 0);
    fcntl(s, F_SETFL, 0);

    /* errors */
    int p[2];
    pipe(p);
    NLSHOW("a bad cookie pointer", raw_notify(q, s, (void *)8));
    NLSHOW("a pipe as the socket", raw_notify(q, p[0], cookie));
    NLSHOW("a closed fd as the socket", raw_notify(q, 200, cookie));
    NLSHOW("a pipe as the queue", raw_notify(p[0], s, cookie));
    NLSHOW("a closed queue fd", raw_notify(200, s, cookie));
    take("nothing sent for them", s, 64, MSG_DONTWAIT);
    NLSHOW("recv on a pipe", recv(p[0], buf, sizeof buf, MSG_DONTWAIT));
    NLSHOW("recv on a closed fd", recv(200, buf, sizeof buf, MSG_DONTWAIT));
    close(p[0]);
    close(p[1]);

    /* a socket closed while registered: the kernel still holds it */
    int s2 = socket(AF_NETLINK, SOCK_RAW, 0);
    NLSHOW("register another socket", raw_notify(q, s2, cookie));
    close(s2);
    status(q, "its fd closed");
    NLSHOW("unregister", syscall(SYS_mq_notify, q, NULL));
    close(s);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    main_thread = pthread_self();
    sem_init(&done, 0, 0);
    mq_unlink(NAME);
    struct mq_attr attr = { 0, 4, 64, 0 };
    mqd_t q = mq_open(NAME, O_CREAT | O_RDWR, 0600, &attr);
    if (q == (mqd_t)-1) {
        printf("mq_open: %s\n", mq_ename(errno));
        return 1;
    }
    libc_half(q);
    raw_half(q);
    MQSHOW("close", mq_close(q));
    MQSHOW("unlink", mq_unlink(NAME));
    return 0;
}
