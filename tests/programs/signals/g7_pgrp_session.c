/* G7 (with F5/E2): process groups and sessions. A fork child inherits the
   group and session. setsid makes the caller leader of a new session and
   group, and fails with EPERM for a group leader; a session leader cannot
   change its group (EPERM). setpgid may create a group or join one of the same
   session (EPERM across sessions), works on the caller or its children only
   (ESRCH otherwise), not on a child that has exec'd (EACCES), and rejects a
   negative pgid (EINVAL). getpgid/getsid of a reaped pid: ESRCH. The test's
   own group and session are never changed. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

static const char *err(int r) {
    if (r >= 0) return "ok";
    return errno == EPERM ? "EPERM" : errno == ESRCH ? "ESRCH" : errno == EACCES ? "EACCES" : errno == EINVAL ? "EINVAL" : "other";
}

int main(int argc, char **argv) {
    if (argc > 1) {       /* exec'd grandchild: tell the parent, wait for EOF */
        char c;
        write(4, "e", 1);
        while (read(3, &c, 1) > 0) {}
        return 0;
    }
    pid_t top = getpid(), top_pgrp = getpgrp(), top_sid = getsid(0);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        pid_t me = getpid();
        printf("child: same group %d, same session %d\n", getpgrp() == top_pgrp, getsid(0) == top_sid);
        pid_t s = setsid();
        printf("child: setsid returns its pid %d; sid %d, pgid %d are its pid\n", s == me, getsid(0) == me, getpgrp() == me);
        printf("child: setsid again: %s\n", err(setsid()));
        printf("child: setpgid(0, 0) as session leader: %s\n", err(setpgid(0, 0)));
        printf("child: setpgid(0, -1): %s\n", err(setpgid(0, -1)));
        printf("child: setpgid(parent, 0): %s\n", err(setpgid(top, 0)));
        int ready[2];
        pipe(ready);
        fflush(stdout);
        pid_t g = fork();
        if (g == 0) {
            printf("grandchild: in the new session %d, in its parent's group %d\n", getsid(0) == me, getpgrp() == me);
            printf("grandchild: setpgid(0, 0): %s, leads a group %d\n", err(setpgid(0, 0)), getpgrp() == getpid());
            printf("grandchild: join the test's group (other session): %s\n", err(setpgid(0, top_pgrp)));
            printf("grandchild: join its parent's group: %s, pgid is the parent %d\n", err(setpgid(0, me)), getpgrp() == me);
            printf("grandchild: setsid in a group it does not lead: %s\n", err(setsid()) );
            fflush(stdout);
            _exit(0);
        }
        int st;
        waitpid(g, &st, 0);
        printf("child: reaped grandchild: getpgid %s, getsid %s\n", err(getpgid(g)), err(getsid(g)));
        int hold[2];
        pipe(hold);
        fflush(stdout);
        g = fork();
        if (g == 0) {
            dup2(hold[0], 3);
            dup2(ready[1], 4);
            close(hold[1]);
            execl(argv[0], argv[0], "exec", (char *)NULL);
            _exit(127);
        }
        char e;
        read(ready[0], &e, 1);
        printf("child: setpgid(grandchild, grandchild) after its exec: %s\n", err(setpgid(g, g)));
        close(hold[1]);
        waitpid(g, &st, 0);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("test: its group and session unchanged %d\n", getpgrp() == top_pgrp && getsid(0) == top_sid);
    return 0;
}
