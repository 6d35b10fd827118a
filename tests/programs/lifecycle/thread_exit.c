/* X3/X1: exit vs exit_group in a thread group (each case in its own child).
   SYS_exit in a thread ends only that thread. exit_group from a non-leader
   thread ends the whole group with its code, killing a leader blocked in
   read. A leader that calls SYS_exit first becomes a zombie that is not
   reported (WNOHANG gives 0) while another thread lives; the status is then
   the group's code, not the leader's 9: on the host (5.19+,
   synchronize_group_exit) the last thread to go fixes the group's code even
   with a plain SYS_exit(4), and exit_group(5) sets it too. A fatal signal
   sent to one thread (tgkill) kills the group. */
#define _GNU_SOURCE
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int to_thread[2], from_thread[2];
static int leader_word;
static pid_t leader_tid;

static volatile pid_t exiting_tid;
static void *thread_exits(void *a)
{
    (void)a;
    exiting_tid = (pid_t)syscall(SYS_gettid);
    syscall(SYS_exit, 7);       /* bypasses musl's pthread_exit: no pthread_join for it */
    return 0;
}

static void *thread_exit_group(void *a)
{
    (void)a;
    syscall(SYS_exit_group, 3);
    return 0;
}

/* outlives the leader: waits until the leader's tid word is cleared, tells
   the parent, then ends as the parent asks */
static void *survivor(void *a)
{
    long how = (long)a;
    int v;
    while ((v = __atomic_load_n(&leader_word, __ATOMIC_SEQ_CST)) != 0)
        syscall(SYS_futex, &leader_word, FUTEX_WAIT, v, 0, 0, 0);
    write(from_thread[1], "L", 1);
    char c;
    read(to_thread[0], &c, 1);
    if (how == 0) syscall(SYS_exit, 4);
    syscall(SYS_exit_group, 5);
    return 0;
}

static void *sleeper(void *a)
{
    (void)a;
    char c;
    read(to_thread[0], &c, 1);
    return 0;
}

static void show(const char *what, int st)
{
    if (WIFEXITED(st)) printf("%s: exited %d\n", what, WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) printf("%s: killed by signal %d\n", what, WTERMSIG(st));
    else printf("%s: status %#x\n", what, st);
}

static void leader_goes_first(long how)
{
    char c;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        leader_tid = getpid();
        leader_word = leader_tid;
        syscall(SYS_set_tid_address, &leader_word);  /* cleared and woken at the leader's exit */
        pthread_t t;
        pthread_create(&t, 0, survivor, (void *)how);
        syscall(SYS_exit, 9);                          /* the leader only */
    }
    read(from_thread[0], &c, 1);                      /* the leader is gone */
    int st;
    printf("leader gone, other thread alive: WNOHANG reports %d\n", waitpid(pid, &st, WNOHANG));
    fflush(stdout);
    write(to_thread[1], "x", 1);
    pid_t got = waitpid(pid, &st, 0);
    show(how == 0 ? "then the last thread's SYS_exit(4)" : "then the last thread's exit_group(5)", st);
    if (got != pid) printf("  (wrong pid)\n");
}

int main(void)
{
    int st;
    pipe(to_thread);
    pipe(from_thread);

    /* SYS_exit in a thread: the rest goes on */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        pthread_t t;
        pthread_create(&t, 0, thread_exits, 0);
        while (exiting_tid == 0) sched_yield();
        while (syscall(SYS_tgkill, getpid(), exiting_tid, 0) == 0) sched_yield();   /* until it is gone */
        printf("SYS_exit(7) in a thread: the thread is gone, main thread still runs\n");
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    show("  process", st);

    /* exit_group from a thread: the blocked leader dies too */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pthread_t t;
        pthread_create(&t, 0, thread_exit_group, 0);
        char c;
        read(to_thread[0], &c, 1);                    /* never returns */
        printf("leader: read returned (wrong)\n");
        _exit(1);
    }
    waitpid(pid, &st, 0);
    show("exit_group(3) from a thread", st);

    leader_goes_first(0);
    leader_goes_first(1);

    /* fatal signal to a non-leader thread */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pthread_t t;
        pthread_create(&t, 0, sleeper, 0);
        pthread_kill(t, SIGTERM);                     /* tgkill to that thread */
        pthread_join(t, 0);
        printf("after SIGTERM to a thread: still running (wrong)\n");
        _exit(1);
    }
    waitpid(pid, &st, 0);
    show("SIGTERM to one thread", st);

    /* exit_group from the leader while threads sleep */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pthread_t t[3];
        for (int i = 0; i < 3; i++) pthread_create(&t[i], 0, sleeper, 0);
        syscall(SYS_exit_group, 6);
    }
    waitpid(pid, &st, 0);
    show("exit_group(6) from the leader with 3 sleeping threads", st);
    return 0;
}
