/* Issue 15 (POSIX message queues): a queue counts maxmsg * (msgsize + 48
   + 48) bytes (the msg_msg and tree node of every message it may hold)
   against its creator's RLIMIT_MSGQUEUE (EMFILE beyond), also while
   unlinked but open, and gives them back when it is freed; the default
   limit (819200) holds nine default queues. Without CAP_SYS_RESOURCE
   mq_maxmsg and mq_msgsize are bounded by msg_max (10) and msgsize_max
   (8192), and queues_max (256) bounds the number of queues (ENOSPC). A
   full fd table is EMFILE before the name is looked at. Permissions: the
   mode (less the umask) and owner of a new queue, EACCES for the access a
   user lacks, and only the owner may unlink in the sticky mqueue root. */
#include "mq_util.h"
#include <sys/resource.h>

#define NAME "/proclab_mq_limits"

static void qname(char *buf, int i) { sprintf(buf, "/proclab_mq_limits_%d", i); }

/* the soft limit only: raising a hard limit needs CAP_SYS_RESOURCE */
static void set_msgqueue(rlim_t v)
{
    struct rlimit rl;
    getrlimit(RLIMIT_MSGQUEUE, &rl);
    rl.rlim_cur = v;
    if (setrlimit(RLIMIT_MSGQUEUE, &rl) < 0)
        printf("setrlimit(RLIMIT_MSGQUEUE, %ld): %s\n", (long)v, mq_ename(errno));
}

/* create queues of `attr` until one fails; unlink them; "label: N then E" */
static void fill(const char *label, struct mq_attr *attr, int max)
{
    char name[64];
    int n = 0, err = 0;
    for (; n < max; n++) {
        qname(name, n);
        mqd_t q = mq_open(name, O_CREAT | O_EXCL | O_RDWR, 0600, attr);
        if (q < 0) {
            err = errno;
            break;
        }
        mq_close(q);
    }
    printf("%s: %d queues, then %s\n", label, n, n == max ? "none tried" : mq_ename(err));
    for (int i = 0; i < n; i++) {
        qname(name, i);
        mq_unlink(name);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    char name[64];
    for (int i = 0; i < 300; i++) {
        qname(name, i);
        mq_unlink(name);
    }
    mq_unlink(NAME);
    struct rlimit rl;
    getrlimit(RLIMIT_MSGQUEUE, &rl);
    printf("RLIMIT_MSGQUEUE: %ld/%ld\n", (long)rl.rlim_cur, (long)rl.rlim_max);
    fill("default queues under the default limit", NULL, 20);

    struct mq_attr one = { 0, 1, 1, 0 };
    set_msgqueue(2 * 97);
    fill("1 x 1 queues under 194 bytes", &one, 5);
    set_msgqueue(2 * 97 - 1);
    fill("1 x 1 queues under 193 bytes", &one, 5);
    struct mq_attr two = { 0, 2, 3, 0 };
    set_msgqueue(2 * (3 + 96));
    fill("2 x 3 queues under 198 bytes", &two, 5);
    set_msgqueue(2 * (3 + 96) - 1);
    fill("2 x 3 queues under 197 bytes", &two, 5);

    set_msgqueue(97);
    mqd_t q = mq_open(NAME, O_CREAT | O_RDWR, 0600, &one);
    MQSHOW_OK("one queue", q);
    MQSHOW("unlink it", mq_unlink(NAME));
    MQSHOW("another while it is open", mq_open("/proclab_mq_limits_x", O_CREAT | O_RDWR, 0600, &one));
    MQSHOW("close it", mq_close(q));
    q = mq_open(NAME, O_CREAT | O_RDWR, 0600, &one);
    MQSHOW_OK("another once it is gone", q);
    mq_close(q);
    mq_unlink(NAME);
    set_msgqueue(819200);

    struct rlimit nofile, few;
    getrlimit(RLIMIT_NOFILE, &nofile);
    few.rlim_cur = 3;
    few.rlim_max = nofile.rlim_max;
    setrlimit(RLIMIT_NOFILE, &few);
    MQSHOW("full fd table, missing name", mq_open("/proclab_mq_limits_none", O_RDWR));
    MQSHOW("full fd table, bad name", mq_open("/a/b", O_RDWR));
    setrlimit(RLIMIT_NOFILE, &nofile);

    /* permissions */
    umask(022);
    q = mq_open(NAME, O_CREAT | O_RDWR, 0666, &one);
    struct stat st;
    fstat(q, &st);
    printf("new queue: mode %o uid %d size %ld\n", (unsigned)st.st_mode, (int)st.st_uid, (long)st.st_size);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        setgid(65534);
        setuid(65534);
        MQSHOW_OK("other user, O_RDONLY", mq_open(NAME, O_RDONLY));
        MQSHOW("other user, O_WRONLY", mq_open(NAME, O_WRONLY));
        MQSHOW("other user, unlink", mq_unlink(NAME));

        struct mq_attr a = { 0, 10, 8192, 0 };
        mqd_t mine = mq_open("/proclab_mq_limits_user", O_CREAT | O_RDWR, 0640, &a);
        MQSHOW_OK("user: 10 x 8192", mine);
        fstat(mine, &st);
        printf("user's queue: mode %o uid %d\n", (unsigned)st.st_mode, (int)st.st_uid);
        mq_close(mine);
        MQSHOW("user unlinks it", mq_unlink("/proclab_mq_limits_user"));
        a.mq_maxmsg = 11;
        MQSHOW("user: 11 x 8192", mq_open("/proclab_mq_limits_user", O_CREAT | O_RDWR, 0600, &a));
        a.mq_maxmsg = 10;
        a.mq_msgsize = 8193;
        MQSHOW("user: 10 x 8193", mq_open("/proclab_mq_limits_user", O_CREAT | O_RDWR, 0600, &a));
        fill("user: 1 x 1 queues (the root's one exists)", &one, 300);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    show_status("other user", status);
    MQSHOW("root unlinks", mq_unlink(NAME));
    MQSHOW("close", mq_close(q));
    return 0;
}
