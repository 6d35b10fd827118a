/* X4: find_new_reaper. (1) No subreaper above: an orphan goes to init (pid 1;
   on the host that is the pid 1 of the test's pid namespace, with no
   subreaper between it and the test). (2) A child of a thread that exits
   goes to another live thread of the same group: its ppid stays the tgid
   and the group can still wait for it. (3) With PR_SET_CHILD_SUBREAPER the
   orphan goes to the subreaper, (4) to the nearest one when there are two.
   (5) A reparented clone child whose exit signal was 0 gets SIGCHLD: the
   subreaper reaps it with a plain wait. Also PR_GET_CHILD_SUBREAPER. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int go[2], back[2];

static void wait_go(void) { char c; read(go[0], &c, 1); }

/* A forks B and exits; B waits for "go", then reports its ppid */
static pid_t orphan_through_child(pid_t *b_out)
{
    fflush(stdout);
    pid_t a = fork();
    if (a == 0) {
        pid_t b = fork();
        if (b == 0) {
            wait_go();
            pid_t pp = getppid();
            write(back[1], &pp, sizeof pp);
            _exit(40);
        }
        write(back[1], &b, sizeof b);
        _exit(0);
    }
    read(back[0], b_out, sizeof *b_out);
    return a;
}

static pid_t thread_child;
static void *thread_forks(void *arg)
{
    (void)arg;
    fflush(stdout);
    thread_child = fork();
    if (thread_child == 0) {
        wait_go();
        pid_t pp = getppid();
        write(back[1], &pp, sizeof pp);
        _exit(41);
    }
    return 0;                                  /* the thread ends, its child stays */
}

static int clone_child_fn(void) { wait_go(); return 44; }

int main(void)
{
    pid_t me = getpid(), a, b, pp;
    int st;
    pipe(go);
    pipe(back);

    /* (1) init */
    a = orphan_through_child(&b);
    waitpid(a, &st, 0);
    write(go[1], "g", 1);
    read(back[0], &pp, sizeof pp);
    printf("(1) no subreaper: orphan's new parent is pid 1: %d\n", pp == 1);

    /* (2) a live thread of the same group */
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        pthread_t t;
        pthread_create(&t, 0, thread_forks, 0);
        pthread_join(t, 0);
        write(go[1], "g", 1);
        read(back[0], &pp, sizeof pp);
        pid_t got = waitpid(thread_child, &st, 0);
        printf("(2) creating thread gone: child's ppid is still the tgid %d, the group reaps it %d (status %d)\n",
               pp == getpid(), got == thread_child, WEXITSTATUS(st));
        fflush(stdout);
        _exit(0);
    }
    waitpid(p, &st, 0);

    /* (3) subreaper */
    printf("PR_GET_CHILD_SUBREAPER before: %d", prctl(PR_GET_CHILD_SUBREAPER, &st) == 0 ? st : -1);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    printf(", after setting: %d\n", prctl(PR_GET_CHILD_SUBREAPER, &st) == 0 ? st : -1);
    a = orphan_through_child(&b);
    waitpid(a, &st, 0);
    write(go[1], "g", 1);
    read(back[0], &pp, sizeof pp);
    pid_t got = waitpid(-1, &st, 0);
    printf("(3) subreaper: orphan's ppid is the subreaper %d, reaped here %d (status %d)\n", pp == me, got == b,
           WEXITSTATUS(st));

    /* (4) nearest subreaper: M (subreaper) > S (subreaper) > A > B */
    fflush(stdout);
    pid_t s = fork();
    if (s == 0) {
        int flag = -1;
        prctl(PR_GET_CHILD_SUBREAPER, &flag);
        printf("(4) subreaper flag is not inherited by fork: %d\n", flag);
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        a = orphan_through_child(&b);
        waitpid(a, &st, 0);
        write(go[1], "g", 1);
        read(back[0], &pp, sizeof pp);
        got = waitpid(-1, &st, 0);
        printf("(4) two subreapers: orphan went to the nearest %d, reaped there %d\n", pp == getpid(), got == b);
        fflush(stdout);
        _exit(0);
    }
    waitpid(s, &st, 0);
    errno = 0;
    printf("(4) the outer subreaper has no child left (ECHILD) %d\n", waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD);

    /* (5) a clone child with exit signal 0 is reparented with SIGCHLD */
    fflush(stdout);
    a = fork();
    if (a == 0) {
        long c = syscall(SYS_clone, 0UL, 0, 0, 0, 0);   /* fork-like, exit signal 0 */
        if (c == 0) _exit(clone_child_fn());
        write(back[1], &c, sizeof c);
        _exit(0);
    }
    long c;
    read(back[0], &c, sizeof c);
    waitpid(a, &st, 0);
    write(go[1], "g", 1);
    got = waitpid((pid_t)c, &st, 0);                  /* no __WCLONE */
    printf("(5) exit-signal-0 orphan reaped by a plain wait %d, status %d\n", got == c, WEXITSTATUS(st));
    return 0;
}
