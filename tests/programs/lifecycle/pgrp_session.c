/* P2 and G7 as the issue asks for them with X: setpgid, getpgid, getpgrp,
   setsid, getsid and their errors, run in a child C that leads its own
   group. EINVAL for negative arguments; ESRCH for a pid that is neither the
   caller nor its child, and for getpgid/getsid of a missing pid; EACCES for
   a child that has exec'd; EPERM for a group leader's setsid, for moving a
   session leader, for a child in another session, for joining a group of
   another session or a group that does not exist. A new session's leader
   has pgid = sid = pid. P2: a group outlives its leader while a member uses
   the number (getpgid, kill(-pgid, 0) and joining it still work). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MISSING 0x7ffffff0

static const char *e(int r)
{
    if (r >= 0) return "ok";
    return errno == EPERM ? "EPERM" : errno == ESRCH ? "ESRCH" : errno == EACCES ? "EACCES" :
           errno == EINVAL ? "EINVAL" : "other";
}

#define TRY(expr) (errno = 0, e(expr))

static int hold[2];                    /* children block on this until C closes it */
static pid_t waiting_child(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(hold[1]);
        read(hold[0], &c, 1);
        _exit(0);
    }
    return pid;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "exec-image") == 0) {   /* the exec'd child: wait on stdin */
        char c;
        read(0, &c, 1);
        return 0;
    }
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        pid_t me = getpid();
        pipe(hold);
        printf("C: getpgrp() == pid %d, getpgid(0) == getpgrp() %d, getpgid(me) too %d, getsid(0) == getsid(me) %d\n",
               getpgrp() == me, getpgid(0) == getpgrp(), getpgid(me) == me, getsid(0) == getsid(me));
        printf("C: setsid() as a group leader: %s\n", TRY(setsid()));
        printf("C: setpgid(-1, 0): %s, ", TRY(setpgid(-1, 0)));
        printf("setpgid(0, -1): %s\n", TRY(setpgid(0, -1)));
        printf("C: setpgid(missing pid, 0): %s, ", TRY(setpgid(MISSING, 0)));
        printf("setpgid(our parent, 0): %s\n", TRY(setpgid(getppid(), 0)));
        printf("C: getpgid(missing): %s, ", TRY(getpgid(MISSING)));
        printf("getsid(missing): %s\n", TRY(getsid(MISSING)));

        /* a child changes groups */
        pid_t k1 = waiting_child();
        printf("k1 starts in C's group %d\n", getpgid(k1) == me);
        int r1 = setpgid(k1, k1);
        printf("setpgid(k1, k1): %s, now its own leader %d\n", e(r1), getpgid(k1) == k1);
        int r2 = setpgid(k1, 0);
        printf("setpgid(k1, 0) keeps it there: %s %d\n", e(r2), getpgid(k1) == k1);
        int r3 = setpgid(k1, me);
        printf("setpgid(k1, C) moves it back: %s %d\n", e(r3), getpgid(k1) == me);
        printf("setpgid(k1, missing group): %s\n", TRY(setpgid(k1, MISSING)));

        /* EACCES after exec: the exec closes a CLOEXEC pipe, so EOF means done */
        int ex[2], in[2];
        pipe2(ex, O_CLOEXEC);
        pipe(in);
        fflush(stdout);
        pid_t k2 = fork();
        if (k2 == 0) {
            dup2(in[0], 0);
            close(in[1]);
            execl(argv[0], argv[0], "exec-image", (char *)0);
            _exit(127);
        }
        close(ex[1]);
        char ch;
        int n = read(ex[0], &ch, 1);
        printf("k2 exec'd (EOF on the CLOEXEC pipe) %d; setpgid(k2, k2): %s\n", n == 0, TRY(setpgid(k2, k2)));
        close(in[0]);
        close(in[1]);
        waitpid(k2, 0, 0);

        /* another session */
        int ready[2], rep[2];
        pipe(ready);
        pipe(rep);
        fflush(stdout);
        pid_t k3 = fork();
        if (k3 == 0) {
            pid_t s = setsid();
            int r[5];
            r[0] = s == getpid();
            r[1] = getsid(0) == getpid() && getpgrp() == getpid();
            errno = 0;
            r[2] = setsid() == -1 && errno == EPERM;
            errno = 0;
            r[3] = setpgid(0, me) == -1 && errno == EPERM;        /* C's group is in another session */
            errno = 0;
            r[4] = setpgid(0, 0) == -1 && errno == EPERM;         /* a session leader cannot move */
            write(rep[1], r, sizeof r);
            char x;
            close(hold[1]);
            read(hold[0], &x, 1);
            _exit(0);
        }
        int r[5];
        read(rep[0], r, sizeof r);
        printf("k3 setsid: returns its pid %d, sid == pgid == pid %d, again EPERM %d, join C's group EPERM %d, setpgid(0,0) EPERM %d\n",
               r[0], r[1], r[2], r[3], r[4]);
        printf("C: getsid(k3) is k3 %d; ", getsid(k3) == k3);
        printf("setpgid(k3, k3): %s; ", TRY(setpgid(k3, k3)));
        printf("setpgid(k1, k3): %s\n", TRY(setpgid(k1, k3)));

        /* P2: a group without its leader */
        pid_t k5 = waiting_child();
        setpgid(k5, k5);
        pid_t k6 = waiting_child();
        setpgid(k6, k5);
        kill(k5, SIGKILL);
        waitpid(k5, 0, 0);                            /* the leader is gone and reaped */
        printf("group G5 after its leader's reap: getpgid(k6) == G5 %d, ", getpgid(k6) == k5);
        printf("kill(-G5, 0) %s, ", TRY(kill(-k5, 0)));
        printf("setpgid(k1, G5) %s, ", TRY(setpgid(k1, k5)));
        printf("k1 in G5 %d\n", getpgid(k1) == k5);
        kill(k6, SIGKILL);
        waitpid(k6, 0, 0);
        setpgid(k1, me);
        printf("once k6 is reaped and k1 left: kill(-G5, 0) %s\n", TRY(kill(-k5, 0)));

        close(hold[0]);
        close(hold[1]);
        while (wait(0) > 0) {}
        fflush(stdout);
        _exit(0);
    }
    setpgid(c, c);
    int st;
    waitpid(c, &st, 0);
    printf("C exited with %d\n", WEXITSTATUS(st));
    return 0;
}
