/* X6/X7 (with P2): every pid form of wait4 and every idtype of waitid, run in
   a child C that leads its own process group. C's children: k1 stays in C's
   group, k2 leads a new group G, k3 joins G. All have exited before C waits.
   wait4(0) takes only k1; then wait4(0) is ECHILD although children remain;
   wait4(k2) takes k2, after which wait4(-G) still finds k3 (G lives on
   while k3 uses it); then -G is ECHILD. Not-a-child pids (our parent, a
   missing pid) are ECHILD. waitid: P_PID, P_PGID with an id and with 0 (own
   group), P_ALL. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

static int go[2];

static pid_t kid(int code, pid_t join_group)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (join_group >= 0) setpgid(0, join_group);
        char c;
        close(go[1]);
        read(go[0], &c, 1);           /* EOF: everybody may exit */
        _exit(code);
    }
    if (join_group >= 0) setpgid(pid, join_group == 0 ? pid : join_group);   /* both sides: no race */
    return pid;
}

static const char *res(pid_t got, pid_t want, int st, int code)
{
    if (got == want && WIFEXITED(st) && WEXITSTATUS(st) == code) return "right child";
    if (got == -1 && errno == ECHILD) return "ECHILD";
    if (got == 0) return "0";
    return "wrong";
}

static void settle(pid_t *pids, int n)   /* wait until they are all zombies */
{
    siginfo_t si;
    for (int i = 0; i < n; i++) waitid(P_PID, pids[i], &si, WEXITED | WNOWAIT);
}

int main(void)
{
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        setpgid(0, 0);
        int st;
        pid_t got;
        pipe(go);
        pid_t k1 = kid(1, -1);
        pid_t k2 = kid(2, 0);
        pid_t k3 = kid(3, k2);
        pid_t all[3] = {k1, k2, k3};
        printf("groups: k1 in ours %d, k2 leads its own %d, k3 in k2's %d\n", getpgid(k1) == getpid(),
               getpgid(k2) == k2, getpgid(k3) == k2);
        close(go[0]);
        close(go[1]);
        settle(all, 3);

        errno = 0; got = waitpid(0, &st, 0);
        printf("wait4(0): %s\n", res(got, k1, st, 1));
        errno = 0; got = waitpid(0, &st, WNOHANG);
        printf("wait4(0) again, children only in other groups: %s\n", res(got, -1, st, 0));
        errno = 0; got = waitpid(getppid(), &st, WNOHANG);
        printf("wait4(our parent): %s\n", res(got, -1, st, 0));
        errno = 0; got = waitpid(0x7ffffff0, &st, WNOHANG);
        printf("wait4(missing pid): %s\n", res(got, -1, st, 0));
        errno = 0; got = waitpid(-getpid(), &st, WNOHANG);
        printf("wait4(-own group), nobody left there: %s\n", res(got, -1, st, 0));
        errno = 0; got = waitpid(k2, &st, 0);
        printf("wait4(k2): %s\n", res(got, k2, st, 2));
        printf("group G without its leader: getpgid(k3) is still G %d, kill(-G, 0) works %d\n",
               getpgid(k3) == k2, kill(-k2, 0) == 0);
        errno = 0; got = waitpid(-k2, &st, 0);
        printf("wait4(-G): %s\n", res(got, k3, st, 3));
        errno = 0; got = waitpid(-k2, &st, WNOHANG);
        printf("wait4(-G) again: %s\n", res(got, -1, st, 0));
        errno = 0;
        printf("kill(-G, 0) once the group is empty: ESRCH %d\n", kill(-k2, 0) == -1 && errno == ESRCH);

        /* waitid idtypes */
        int go2[2];
        pipe(go2);
        go[0] = go2[0];
        go[1] = go2[1];
        k1 = kid(11, -1);
        k2 = kid(12, 0);
        k3 = kid(13, -1);
        pid_t k4 = kid(14, -1);
        pid_t more[4] = {k1, k2, k3, k4};
        close(go[0]);
        close(go[1]);
        settle(more, 4);
        siginfo_t si;
        si.si_pid = 0;
        waitid(P_PID, k3, &si, WEXITED);
        printf("waitid(P_PID, k3): right child %d, status %d\n", si.si_pid == k3, si.si_status);
        si.si_pid = 0;
        waitid(P_PGID, k2, &si, WEXITED);
        printf("waitid(P_PGID, G2): right child %d, status %d\n", si.si_pid == k2, si.si_status);
        si.si_pid = 0;
        waitid(P_PGID, 0, &si, WEXITED);
        printf("waitid(P_PGID, 0) = own group: one of ours %d\n", si.si_pid == k1 || si.si_pid == k4);
        pid_t first = si.si_pid;
        si.si_pid = 0;
        waitid(P_ALL, 12345, &si, WEXITED);          /* the id is ignored */
        printf("waitid(P_ALL): the other one %d\n", si.si_pid == (first == k1 ? k4 : k1));
        errno = 0;
        printf("waitid(P_ALL) with none left: ECHILD %d\n", waitid(P_ALL, 0, &si, WEXITED) == -1 && errno == ECHILD);
        fflush(stdout);
        _exit(0);
    }
    setpgid(c, c);
    int st;
    waitpid(c, &st, 0);
    printf("C exited with %d\n", WEXITSTATUS(st));
    return 0;
}
