/* X6/X7: the options of wait4 and waitid. EINVAL: wait4 with WEXITED,
   WNOWAIT or an unknown bit; waitid without any of WEXITED/WSTOPPED/
   WCONTINUED, with an unknown bit, a bad idtype, P_PID with id <= 0 or
   P_PGID with id < 0 (EINVAL is checked before ECHILD). WNOHANG: 0 while the
   child runs (waitid: 0 and si_pid 0). WNOWAIT leaves the zombie waitable.
   __WCLONE takes only children whose exit signal is not SIGCHLD (0 or
   SIGUSR1 here), the default only SIGCHLD ones, __WALL both. Children of
   another thread of the group count, except with __WNOTHREAD. ECHILD with
   WNOHANG when nothing is left. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *e(long r)
{
    if (r >= 0) return r == 0 ? "0" : "a pid";
    return errno == EINVAL ? "EINVAL" : errno == ECHILD ? "ECHILD" : "other";
}

static long w4(pid_t pid, int *st, int opt) { errno = 0; return syscall(SYS_wait4, pid, st, opt, 0); }
static long wid(int type, pid_t id, siginfo_t *si, int opt) { errno = 0; return syscall(SYS_waitid, type, id, si, opt, 0); }

static int go[2];
static pid_t blocked_child(int code)
{
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(go[1]);
        read(go[0], &c, 1);
        _exit(code);
    }
    return pid;
}

static pid_t clone_child(int exit_signal, int code)
{
    long pid = syscall(SYS_clone, (unsigned long)exit_signal, 0, 0, 0, 0);
    if (pid == 0) {
        char c;
        close(go[1]);
        read(go[0], &c, 1);
        syscall(SYS_exit_group, code);
    }
    return (pid_t)pid;
}

/* __WNOTHREAD: a thread's child */
static int to_thread[2], from_thread[2];
static void *forking_thread(void *a)
{
    (void)a;
    fflush(stdout);
    pid_t k = fork();
    if (k == 0) _exit(33);
    write(from_thread[1], &k, sizeof k);
    char c;
    read(to_thread[0], &c, 1);
    int st = 0;
    pid_t got = waitpid(k, &st, __WNOTHREAD);
    return (void *)(long)(got == k && WEXITSTATUS(st) == 33);
}

int main(void)
{
    int st;
    siginfo_t si;
    signal(SIGUSR1, SIG_IGN);               /* one child's exit signal */
    pipe(go);
    pid_t a = blocked_child(5);

    printf("wait4 WEXITED: %s\n", e(w4(a, &st, WEXITED)));
    printf("wait4 WNOWAIT: %s\n", e(w4(a, &st, WNOWAIT)));
    printf("wait4 bit 0x10: %s\n", e(w4(a, &st, 0x10)));
    printf("wait4 bad option, no such child: %s\n", e(w4(0x7ffffff0, &st, 0x10)));
    printf("waitid no event flag: %s\n", e(wid(P_PID, a, &si, WNOHANG)));
    printf("waitid options 0: %s\n", e(wid(P_ALL, 0, &si, 0)));
    printf("waitid bit 0x10: %s\n", e(wid(P_PID, a, &si, WEXITED | 0x10)));
    printf("waitid idtype 7: %s\n", e(wid(7, a, &si, WEXITED)));
    printf("waitid P_PID id 0: %s\n", e(wid(P_PID, 0, &si, WEXITED)));
    printf("waitid P_PID id -1: %s\n", e(wid(P_PID, -1, &si, WEXITED)));
    printf("waitid P_PGID id -1: %s\n", e(wid(P_PGID, -1, &si, WEXITED)));

    printf("wait4 WNOHANG, child running: %s\n", e(w4(a, &st, WNOHANG)));
    memset(&si, 0x55, sizeof si);
    long r = wid(P_PID, a, &si, WEXITED | WNOHANG);
    printf("waitid WNOHANG, child running: %s, si_pid 0 %d, si_signo 0 %d\n", e(r), si.si_pid == 0, si.si_signo == 0);
    printf("wait4 WUNTRACED|WCONTINUED|WNOHANG accepted: %s\n", e(w4(a, &st, WUNTRACED | WCONTINUED | WNOHANG)));

    /* clone children: exit signal 0 and SIGUSR1 */
    pid_t z = clone_child(0, 6);
    pid_t u = clone_child(SIGUSR1, 7);
    close(go[0]);
    close(go[1]);                           /* all three exit now */
    wid(P_PID, a, &si, WEXITED | WNOWAIT);
    wid(P_PID, z, &si, WEXITED | WNOWAIT | __WCLONE);
    wid(P_PID, u, &si, WEXITED | WNOWAIT | __WCLONE);

    si.si_pid = 0;
    wid(P_ALL, 0, &si, WEXITED | WNOWAIT);
    printf("WNOWAIT, default: reports the SIGCHLD child %d, status %d\n", si.si_pid == a, si.si_status);
    si.si_pid = 0;
    wid(P_ALL, 0, &si, WEXITED | WNOWAIT);
    printf("WNOWAIT again: same child still there %d\n", si.si_pid == a);
    printf("wait4(z) without __WCLONE: %s\n", e(w4(z, &st, WNOHANG)));
    printf("wait4(u) without __WCLONE: %s\n", e(w4(u, &st, WNOHANG)));
    printf("wait4(a) with __WCLONE: %s\n", e(w4(a, &st, __WCLONE | WNOHANG)));
    r = w4(z, &st, __WCLONE);
    printf("wait4(z) with __WCLONE: reaped %d, status %d\n", r == z, WEXITSTATUS(st));
    r = w4(u, &st, __WALL);
    printf("wait4(u) with __WALL: reaped %d, status %d\n", r == u, WEXITSTATUS(st));
    r = w4(-1, &st, 0);
    printf("wait4(-1): reaped the SIGCHLD child %d, status %d\n", r == a, WEXITSTATUS(st));
    printf("nothing left, WNOHANG: %s\n", e(w4(-1, &st, WNOHANG)));
    printf("nothing left, __WALL: %s\n", e(w4(-1, &st, __WALL)));

    /* another thread's child */
    pipe(to_thread);
    pipe(from_thread);
    pthread_t t;
    pthread_create(&t, 0, forking_thread, 0);
    pid_t k;
    read(from_thread[0], &k, sizeof k);
    si.si_pid = 0;
    wid(P_PID, k, &si, WEXITED | WNOWAIT);
    printf("thread's child: seen by the main thread %d\n", si.si_pid == k);
    printf("thread's child with __WNOTHREAD from main: %s\n", e(w4(k, &st, __WNOTHREAD | WNOHANG)));
    write(to_thread[1], "r", 1);
    void *ok;
    pthread_join(t, &ok);
    printf("thread's child reaped by its thread with __WNOTHREAD: %ld\n", (long)ok);
    return 0;
}
