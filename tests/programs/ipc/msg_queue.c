/* I1, issue 5 (System V message queues): msgrcv's type selection (0, > 0,
   MSG_EXCEPT, < 0: lowest type first) keeps arrival order within a type;
   E2BIG leaves a long message queued, MSG_NOERROR truncates it; IPC_NOWAIT
   gives ENOMSG (nothing matching) and EAGAIN (a queue made full by
   lowering msg_qbytes with IPC_SET); a child sleeping in msgrcv gets the
   parent's message, a sleeping msgsnd completes when the parent receives,
   a signal ends a wait with EINTR despite SA_RESTART, IPC_RMID wakes a
   waiter with EIDRM; IPC_STAT counts messages, bytes and the last pids. */
#include "ipc_util.h"
#include <sys/msg.h>
#ifndef MSG_COPY
#define MSG_COPY 040000
#endif

struct buf { long mtype; char mtext[64]; };

static int snd(int id, long type, const char *text, int flg)
{
    struct buf b = { type, "" };
    strncpy(b.mtext, text, sizeof b.mtext - 1);
    return msgsnd(id, &b, strlen(text), flg);
}

/* "what: type T 'text' (N bytes)" or "what: -1 ENAME" */
static void rcv(const char *what, int id, size_t sz, long type, int flg)
{
    struct buf b;
    memset(&b, 0, sizeof b);
    errno = 0;
    ssize_t n = msgrcv(id, &b, sz, type, flg);
    if (n < 0)
        printf("%s: -1 %s\n", what, ename(errno));
    else
        printf("%s: type %ld '%.*s' (%zd bytes)\n", what, b.mtype, (int)n, b.mtext, n);
}

static void stat_q(const char *when, int id)
{
    struct msqid_ds ds;
    if (msgctl(id, IPC_STAT, &ds) < 0) {
        printf("IPC_STAT %s: -1 %s\n", when, ename(errno));
        return;
    }
    printf("IPC_STAT %s: qnum %lu cbytes %lu qbytes %lu\n", when, (unsigned long)ds.msg_qnum,
           (unsigned long)ds.__msg_cbytes, (unsigned long)ds.msg_qbytes);
}

/* Wait until `pid` sleeps (state S in /proc/PID/stat): it is in the call. */
static void wait_sleeping(pid_t pid)
{
    char path[64], line[512];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    for (;;) {
        FILE *f = fopen(path, "r");
        if (f) {
            size_t n = fread(line, 1, sizeof line - 1, f);
            fclose(f);
            line[n] = 0;
            char *p = strrchr(line, ')');
            if (p && p[1] == ' ' && p[2] == 'S')
                return;
        }
        usleep(1000);
    }
}

static void on_usr1(int sig) { (void)sig; }

int main(void)
{
    int id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (id < 0) { perror("msgget"); return 1; }
    stat_q("new", id);
    SHOW("msgsnd mtype 0", snd(id, 0, "zero", 0));
    SHOW("msgsnd mtype -5", snd(id, -5, "neg", 0));
    struct buf big = { 1, "" };
    SHOW("msgsnd 8193 bytes", msgsnd(id, &big, 8193, 0));
    SHOW("msgrcv empty IPC_NOWAIT", msgrcv(id, &big, 64, 0, IPC_NOWAIT));
    SHOW("msgrcv MSG_COPY without IPC_NOWAIT", msgrcv(id, &big, 64, 0, MSG_COPY));
    SHOW("msgrcv bad id", msgrcv(-1, &big, 64, 0, IPC_NOWAIT));

    /* typed receives */
    snd(id, 3, "c1", 0);
    snd(id, 1, "a1", 0);
    snd(id, 2, "b1", 0);
    snd(id, 3, "c2", 0);
    snd(id, 1, "a2", 0);
    snd(id, 5, "e1", 0);
    struct msqid_ds ds;
    msgctl(id, IPC_STAT, &ds);
    printf("after six sends: qnum %lu cbytes %lu lspid is me %d lrpid %d\n", (unsigned long)ds.msg_qnum,
           (unsigned long)ds.__msg_cbytes, ds.msg_lspid == getpid(), ds.msg_lrpid);
    rcv("type 0", id, 64, 0, 0);
    rcv("type 1", id, 64, 1, 0);
    rcv("MSG_EXCEPT 2", id, 64, 2, MSG_EXCEPT);
    rcv("type -4", id, 64, -4, 0);
    rcv("type -4 again", id, 64, -4, 0);
    rcv("type 4 IPC_NOWAIT", id, 64, 4, IPC_NOWAIT);
    rcv("type -4 nothing left", id, 64, -4, IPC_NOWAIT);
    rcv("type 0 last", id, 64, 0, 0);
    msgctl(id, IPC_STAT, &ds);
    printf("emptied: qnum %lu cbytes %lu lrpid is me %d\n", (unsigned long)ds.msg_qnum,
           (unsigned long)ds.__msg_cbytes, ds.msg_lrpid == getpid());

    /* E2BIG and MSG_NOERROR */
    snd(id, 7, "0123456789", 0);
    rcv("10 bytes into 4", id, 4, 0, 0);
    stat_q("after E2BIG", id);
    rcv("MSG_NOERROR into 4", id, 4, 0, MSG_NOERROR);
    stat_q("after truncation", id);
    SHOW("empty message", snd(id, 9, "", 0));
    rcv("empty message back", id, 0, 9, 0);

    /* a small queue: 10 bytes */
    msgctl(id, IPC_STAT, &ds);
    ds.msg_qbytes = 10;
    SHOW("IPC_SET qbytes 10", msgctl(id, IPC_SET, &ds));
    SHOW("send 6 bytes", snd(id, 1, "first.", IPC_NOWAIT));
    SHOW("send 6 more IPC_NOWAIT", snd(id, 1, "second", IPC_NOWAIT));
    SHOW("send 4 more", snd(id, 1, "4444", IPC_NOWAIT));
    stat_q("full", id);

    /* a sleeping sender completes when the parent makes room */
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        SHOW("child msgsnd on the full queue", snd(id, 2, "child!", 0));
        fflush(stdout);
        _exit(0);
    }
    wait_sleeping(c);
    stat_q("child waiting to send", id);
    rcv("parent receives", id, 64, 0, 0);
    int st;
    waitpid(c, &st, 0);
    show_status("sender child", st);
    rcv("then", id, 64, 0, 0);
    rcv("then", id, 64, 0, 0);
    stat_q("empty again", id);
    ds.msg_qbytes = 16384;
    SHOW("IPC_SET qbytes back to 16384", msgctl(id, IPC_SET, &ds));

    /* a sleeping receiver gets the parent's message */
    fflush(stdout);
    c = fork();
    if (c == 0) {
        rcv("child msgrcv type 4", id, 64, 4, 0);
        fflush(stdout);
        _exit(0);
    }
    wait_sleeping(c);
    snd(id, 3, "not for the child", IPC_NOWAIT);
    SHOW("parent sends type 4", snd(id, 4, "for child", 0));
    waitpid(c, &st, 0);
    show_status("receiver child", st);
    msgctl(id, IPC_STAT, &ds);
    printf("after the handover: qnum %lu lrpid is child %d\n", (unsigned long)ds.msg_qnum, ds.msg_lrpid == c);
    rcv("left in the queue", id, 64, 0, IPC_NOWAIT);

    /* a signal ends the wait with EINTR, even with SA_RESTART */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR1, &sa, NULL);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        rcv("child msgrcv interrupted", id, 64, 0, 0);
        fflush(stdout);
        _exit(0);
    }
    wait_sleeping(c);
    kill(c, SIGUSR1);
    waitpid(c, &st, 0);
    show_status("interrupted child", st);

    /* IPC_RMID wakes a sleeping receiver with EIDRM */
    fflush(stdout);
    c = fork();
    if (c == 0) {
        rcv("child msgrcv when the queue goes", id, 64, 0, 0);
        fflush(stdout);
        _exit(0);
    }
    wait_sleeping(c);
    SHOW("IPC_RMID", msgctl(id, IPC_RMID, NULL));
    waitpid(c, &st, 0);
    show_status("removed-queue child", st);
    stat_q("after IPC_RMID", id);
    SHOW("msgsnd after IPC_RMID", snd(id, 1, "x", IPC_NOWAIT));

    /* IPC_RMID wakes a sleeping sender with EIDRM */
    id = msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    msgctl(id, IPC_STAT, &ds);
    ds.msg_qbytes = 4;
    msgctl(id, IPC_SET, &ds);
    snd(id, 1, "full", 0);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        SHOW("child msgsnd when the queue goes", snd(id, 1, "more", 0));
        fflush(stdout);
        _exit(0);
    }
    wait_sleeping(c);
    SHOW("IPC_RMID", msgctl(id, IPC_RMID, NULL));
    waitpid(c, &st, 0);
    show_status("removed-queue sender", st);
    return 0;
}
