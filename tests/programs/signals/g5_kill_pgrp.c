/* G5/G7: signals to process groups. Two children form group G, a third its
   own group H (nothing is ever sent to the test's own group). kill(-G) and
   killpg reach every member of that group and no one else; kill(0) from a
   member reaches its whole group, itself included; signal 0 to a group checks
   it exists; an empty group gives ESRCH. kill(-1) is not tried (it would
   reach processes outside the test on the host). The members keep the
   signals blocked and report their pending sets. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static int go[3][2], rep[3][2], ready[2], ack[2];

static void member(int i, pid_t group) {
    sigset_t b;
    sigemptyset(&b);
    sigaddset(&b, SIGUSR1);
    sigaddset(&b, SIGUSR2);
    sigaddset(&b, SIGHUP);
    sigaddset(&b, SIGWINCH);
    sigprocmask(SIG_BLOCK, &b, NULL);
    setpgid(0, group);
    for (int j = 0; j < 3; j++) {
        close(go[j][1]);
        if (j != i) close(go[j][0]);
    }
    write(ready[1], "r", 1);
    char c;
    while (read(go[i][0], &c, 1) == 1) {
        if (c == 'k') {
            int r = kill(0, SIGUSR2);
            write(ack[1], r == 0 ? "0" : "e", 1);
        }
    }
    sigset_t p;
    sigpending(&p);
    char line[128];
    snprintf(line, sizeof line, "member %d pending:%s%s%s%s\n", i + 1,
             sigismember(&p, SIGHUP) ? " HUP" : "", sigismember(&p, SIGUSR1) ? " USR1" : "",
             sigismember(&p, SIGUSR2) ? " USR2" : "", sigismember(&p, SIGWINCH) ? " WINCH" : "");
    write(rep[i][1], line, strlen(line));
    _exit(0);
}

int main(void) {
    pipe(ready);
    pipe(ack);
    for (int i = 0; i < 3; i++) {
        pipe(go[i]);
        pipe(rep[i]);
    }
    pid_t kid[3];
    fflush(stdout);
    for (int i = 0; i < 3; i++) {
        pid_t group = i == 1 ? kid[0] : 0;
        kid[i] = fork();
        if (kid[i] == 0) member(i, group);
        setpgid(kid[i], i == 1 ? kid[0] : kid[i]);
    }
    for (int i = 0; i < 3; i++) {
        char c;
        read(ready[0], &c, 1);
    }
    printf("member 2 in member 1's group: %d, member 3 leads its own: %d, none in mine: %d\n",
           getpgid(kid[1]) == kid[0], getpgid(kid[2]) == kid[2],
           getpgid(kid[0]) != getpgrp() && getpgid(kid[2]) != getpgrp());
    printf("kill(-G, 0): %d\n", kill(-kid[0], 0));
    printf("kill(-G, SIGUSR1): %d\n", kill(-kid[0], SIGUSR1));
    printf("killpg(H, SIGHUP): %d\n", killpg(kid[2], SIGHUP));
    write(go[0][1], "k", 1);
    char c;
    read(ack[0], &c, 1);
    printf("member 1 did kill(0, SIGUSR2): %c\n", c);
    printf("kill(member 2, SIGWINCH): %d\n", kill(kid[1], SIGWINCH));
    for (int i = 0; i < 3; i++) close(go[i][1]);
    for (int i = 0; i < 3; i++) {
        char line[128];
        ssize_t n = read(rep[i][0], line, sizeof line - 1);
        line[n > 0 ? n : 0] = 0;
        printf("%s", line);
    }
    for (int i = 0; i < 3; i++) waitpid(kid[i], NULL, 0);
    errno = 0;
    printf("group G after all exited: kill(-G, 0) = %d ESRCH=%d\n", kill(-kid[0], 0), errno == ESRCH);
    errno = 0;
    printf("killpg(H, SIGHUP) = %d ESRCH=%d\n", killpg(kid[2], SIGHUP), errno == ESRCH);
    return 0;
}
