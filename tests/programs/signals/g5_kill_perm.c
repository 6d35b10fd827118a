/* G5: kill permissions by uid (run as root). An unprivileged sender may
   signal a target whose real or saved uid equals the sender's real or
   effective uid; otherwise EPERM, also for signal 0. SIGCONT is allowed
   within the same session whatever the uids (not across sessions). Root
   may signal anyone. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

static const char *err(int r) {
    if (r == 0) return "0";
    return errno == EPERM ? "EPERM" : errno == ESRCH ? "ESRCH" : "other error";
}

static pid_t target(uid_t r, uid_t e, uid_t s, int hold[2], int ready) {
    pid_t pid = fork();
    if (pid == 0) {
        close(hold[1]);
        int ok = setresuid(r, e, s) == 0;
        char c = ok ? 'y' : 'n';
        write(ready, &c, 1);
        read(hold[0], &c, 1);    /* until the parent closes the pipe */
        _exit(0);
    }
    return pid;
}

int main(void) {
    if (getuid() != 0) {
        printf("needs root\n");
        return 0;
    }
    int hold[2], ready[2];
    pipe(hold);
    pipe(ready);
    fflush(stdout);
    pid_t t1 = target(1000, 1000, 1000, hold, ready[1]);
    pid_t t2 = target(1000, 1000, 65534, hold, ready[1]);
    pid_t t3 = target(65534, 1000, 1000, hold, ready[1]);
    char c[3];
    for (int i = 0; i < 3; i++) read(ready[0], &c[i], 1);
    printf("targets switched uids: %c%c%c\n", c[0], c[1], c[2]);

    pid_t s = fork();
    if (s == 0) {
        pid_t parent = getppid();
        printf("sender setresuid(65534,65534,65534): %d\n", setresuid(65534, 65534, 65534));
        printf("uid 1000/1000/1000 (no match), sig 0: %s\n", err(kill(t1, 0)));
        printf("uid 1000/1000/1000 (no match), SIGTERM: %s\n", err(kill(t1, SIGTERM)));
        printf("uid 1000/1000/65534 (saved uid matches): %s\n", err(kill(t2, 0)));
        printf("uid 65534/1000/1000 (real uid matches): %s\n", err(kill(t3, 0)));
        printf("root parent, sig 0: %s\n", err(kill(parent, 0)));
        printf("root parent, SIGUSR1: %s\n", err(kill(parent, SIGUSR1)));
        printf("root parent, SIGCONT (same session): %s\n", err(kill(parent, SIGCONT)));
        printf("itself: %s\n", err(kill(getpid(), 0)));
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(s, &st, 0);
    s = fork();
    if (s == 0) {
        pid_t parent = getppid();
        printf("second sender: setsid ok %d, setresuid %d\n", setsid() == getpid(), setresuid(65534, 65534, 65534));
        printf("root parent, SIGCONT (other session): %s\n", err(kill(parent, SIGCONT)));
        printf("uid 65534/1000/1000, SIGCONT (other session, uid matches): %s\n", err(kill(t3, SIGCONT)));
        fflush(stdout);
        _exit(0);
    }
    waitpid(s, &st, 0);
    s = fork();
    if (s == 0) {
        printf("third sender setresuid(2000,1000,2000): %d\n", setresuid(2000, 1000, 2000));
        printf("uid 1000/1000/1000 (effective uid matches): %s\n", err(kill(t1, 0)));
        fflush(stdout);
        _exit(0);
    }
    waitpid(s, &st, 0);
    printf("root to unprivileged children: %s %s %s\n", err(kill(t1, 0)), err(kill(t2, 0)), err(kill(t3, 0)));
    close(hold[1]);
    int alive = 0;
    for (int i = 0; i < 3; i++) {
        wait(&st);
        alive += WIFEXITED(st) && WEXITSTATUS(st) == 0;
    }
    printf("targets exited normally: %d\n", alive);
    return 0;
}
