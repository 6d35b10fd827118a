/* Issue 15 (POSIX message queues): mq_open's defaults and errors (ENOENT,
   EEXIST, EINVAL for a bad attribute or access mode, EACCES and
   ENAMETOOLONG for bad names); messages come out highest priority first and
   in order within a priority; EMSGSIZE both ways, EINVAL for a priority of
   MQ_PRIO_MAX, EBADF for the wrong access mode, EAGAIN with O_NONBLOCK on an
   empty and on a full queue; mq_getattr/mq_setattr (only O_NONBLOCK
   changes, EINVAL for other flags); a queue descriptor is close-on-exec, is
   read as the status line, polls readable/writable, survives dup and fork
   (the child receives through the inherited descriptor) and mq_unlink
   (the name goes, the open queue stays usable). */
#include "mq_util.h"
#include <limits.h>

#define NAME "/proclab_mq_basic"

static void show_attr(const char *label, mqd_t q)
{
    struct mq_attr a;
    if (mq_getattr(q, &a) < 0) {
        printf("%s: getattr %s\n", label, mq_ename(errno));
        return;
    }
    printf("%s: flags %s maxmsg %ld msgsize %ld curmsgs %ld\n", label,
           a.mq_flags & O_NONBLOCK ? "O_NONBLOCK" : "0", a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs);
}

static void show_poll(const char *label, mqd_t q)
{
    struct pollfd p = { q, POLLIN | POLLOUT, 0 };
    int n = poll(&p, 1, 0);
    printf("%s: %d%s%s\n", label, n, p.revents & POLLIN ? " POLLIN" : "", p.revents & POLLOUT ? " POLLOUT" : "");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);   /* nothing left in the buffer at fork */
    mq_unlink(NAME);
    MQSHOW("open missing", mq_open(NAME, O_RDWR));
    MQSHOW("unlink missing", mq_unlink(NAME));

    struct mq_attr bad = { 0, 0, 16, 0 };
    MQSHOW("maxmsg 0", mq_open(NAME, O_CREAT | O_RDWR, 0600, &bad));
    bad.mq_maxmsg = 4; bad.mq_msgsize = -1;
    MQSHOW("msgsize -1", mq_open(NAME, O_CREAT | O_RDWR, 0600, &bad));
    MQSHOW("name with a slash", mq_open("/proclab/mq", O_CREAT | O_RDWR, 0600, NULL));
    MQSHOW("name ..", mq_open("/..", O_CREAT | O_RDWR, 0600, NULL));
    MQSHOW("empty name", mq_open("/", O_CREAT | O_RDWR, 0600, NULL));
    char longname[300];
    memset(longname, 'n', sizeof longname);
    longname[0] = '/';
    longname[257] = 0;
    MQSHOW("256-byte name", mq_open(longname, O_CREAT | O_RDWR, 0600, NULL));
    MQSHOW("256-byte unlink", mq_unlink(longname));

    /* defaults: msg_default 10, msgsize_default 8192 */
    mqd_t d = mq_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600, NULL);
    MQSHOW_OK("create with defaults", d);
    show_attr("defaults", d);
    MQSHOW("O_EXCL again", mq_open(NAME, O_CREAT | O_EXCL | O_RDWR, 0600, NULL));
    MQSHOW("access mode 3", mq_open(NAME, O_RDWR | O_WRONLY));
    MQSHOW("close", mq_close(d));
    MQSHOW("unlink", mq_unlink(NAME));

    struct mq_attr attr = { 0, 4, 32, 0 };
    mqd_t q = mq_open(NAME, O_CREAT | O_RDWR, 0600, &attr);
    MQSHOW_OK("create 4 x 32", q);
    printf("close-on-exec: %d\n", fcntl(q, F_GETFD) & FD_CLOEXEC);
    printf("F_GETFL: %o\n", fcntl(q, F_GETFL));
    show_attr("created", q);
    show_poll("poll empty", q);

    MQSHOW("send too long", mq_send(q, "0123456789012345678901234567890123", 33, 1));
    MQSHOW("send prio MQ_PRIO_MAX", mq_send(q, "x", 1, 32768));
    MQSHOW("send low 1", mq_send(q, "low-1", 5, 1));
    MQSHOW("send high", mq_send(q, "high", 4, 30000));
    MQSHOW("send low 2", mq_send(q, "low-2", 5, 1));
    MQSHOW("send zero-length", mq_send(q, "", 0, 5));
    show_attr("four queued", q);
    show_poll("poll full", q);

    char status[128];
    ssize_t n = read(q, status, sizeof status - 1);
    status[n > 0 ? n : 0] = 0;
    printf("read %ld: %s", (long)n, status);
    MQSHOW("read at the end", read(q, status, sizeof status));
    MQSHOW("write", write(q, "x", 1));

    MQSHOW("receive small buffer", mq_receive(q, status, 31, NULL));
    mqd_t nb = mq_open(NAME, O_WRONLY | O_NONBLOCK);
    MQSHOW_OK("open O_WRONLY|O_NONBLOCK", nb);
    MQSHOW("send full O_NONBLOCK", mq_send(nb, "x", 1, 0));
    MQSHOW("receive on O_WRONLY", mq_receive(nb, status, 64, NULL));
    show_attr("O_NONBLOCK one", nb);
    MQSHOW("close O_WRONLY", mq_close(nb));

    mq_show_receive("receive 1", q, 64);
    mq_show_receive("receive 2", q, 64);

    /* dup and fork: the child takes one message through its copy */
    mqd_t q2 = dup(q);
    pid_t pid = fork();
    if (pid == 0) {
        mq_show_receive("child receives", q2, 64);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    show_status("child", st);
    mq_show_receive("receive 4", q, 64);
    MQSHOW("close dup", mq_close(q2));

    struct mq_attr set = { O_NONBLOCK, 99, 99, 99 }, old;
    MQSHOW("setattr O_NONBLOCK", mq_setattr(q, &set, &old));
    printf("old flags %ld maxmsg %ld msgsize %ld curmsgs %ld\n", old.mq_flags, old.mq_maxmsg, old.mq_msgsize, old.mq_curmsgs);
    show_attr("after setattr", q);
    MQSHOW("receive empty O_NONBLOCK", mq_receive(q, status, 64, NULL));
    set.mq_flags = O_NONBLOCK | O_APPEND;
    MQSHOW("setattr O_APPEND", mq_setattr(q, &set, NULL));
    set.mq_flags = 0;
    MQSHOW("setattr 0", mq_setattr(q, &set, NULL));
    show_attr("blocking again", q);
    MQSHOW("getattr of a pipe", ({ int p[2]; pipe(p); struct mq_attr a; int r = mq_getattr(p[0], &a); int e = errno; close(p[0]); close(p[1]); errno = e; r; }));
    MQSHOW("getattr of a closed fd", mq_getattr(200, &old));

    MQSHOW("send before unlink", mq_send(q, "kept", 4, 2));
    MQSHOW("unlink", mq_unlink(NAME));
    MQSHOW("open unlinked", mq_open(NAME, O_RDWR));
    mq_show_receive("receive after unlink", q, 64);
    MQSHOW("close", mq_close(q));
    MQSHOW("close again", mq_close(q));
    return 0;
}
