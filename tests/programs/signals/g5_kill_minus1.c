/* G5: kill(-1, sig) reaches every process the caller may signal, except init
   and the caller itself. To be harmless on the host it is sent only by a
   process that switched to an otherwise unused uid (54321), so only processes
   of that uid qualify, and the signal is SIGWINCH (default action: ignore).
   Two targets with that uid (one in its own process group) get it; a target
   with another uid does not; the sender does not get it itself. Needs root. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define UID 54321
static int hold[2], ready[2], rep[2];

static pid_t target(uid_t uid, int own_group, int id) {
    pid_t pid = fork();
    if (pid == 0) {
        close(hold[1]);
        if (own_group) setpgid(0, 0);
        char ok = setresuid(uid, uid, uid) == 0 ? 'y' : 'n';
        write(ready[1], &ok, 1);
        char c;
        read(hold[0], &c, 1);
        sigset_t p;
        sigpending(&p);
        char line[64];
        int n = snprintf(line, sizeof line, "target %d (uid %s): WINCH pending %d\n", id, uid == UID ? "same" : "other",
                         sigismember(&p, SIGWINCH));
        write(rep[1], line, n);
        _exit(0);
    }
    return pid;
}

int main(void) {
    if (getuid() != 0) {
        printf("needs root\n");
        return 0;
    }
    pipe(hold);
    pipe(ready);
    pipe(rep);
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGWINCH);
    sigprocmask(SIG_BLOCK, &w, NULL);     /* inherited: targets keep it pending */
    fflush(stdout);
    pid_t t[3];
    t[0] = target(UID, 0, 1);
    t[1] = target(UID, 1, 2);
    t[2] = target(UID + 1, 0, 3);
    char ok[3];
    for (int i = 0; i < 3; i++) read(ready[0], &ok[i], 1);
    printf("targets switched uids: %c%c%c\n", ok[0], ok[1], ok[2]);
    pid_t s = fork();
    if (s == 0) {
        close(hold[1]);
        if (setresuid(UID, UID, UID) != 0) _exit(2);
        int r = kill(-1, SIGWINCH);
        sigset_t p;
        sigpending(&p);
        char line[64];
        int n = snprintf(line, sizeof line, "sender: kill(-1, SIGWINCH) = %d, reached itself %d\n", r, sigismember(&p, SIGWINCH));
        write(rep[1], line, n);
        _exit(0);
    }
    int st;
    waitpid(s, &st, 0);
    close(hold[1]);
    for (int i = 0; i < 3; i++) waitpid(t[i], &st, 0);
    close(rep[1]);
    char buf[512];
    ssize_t n, total = 0;
    while ((n = read(rep[0], buf + total, sizeof buf - 1 - total)) > 0) total += n;
    buf[total] = 0;
    /* lines arrive in no fixed order: print them sorted */
    char *lines[8];
    int k = 0;
    for (char *p = strtok(buf, "\n"); p && k < 8; p = strtok(NULL, "\n")) lines[k++] = p;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++)
            if (strcmp(lines[i], lines[j]) > 0) { char *x = lines[i]; lines[i] = lines[j]; lines[j] = x; }
    for (int i = 0; i < k; i++) printf("%s\n", lines[i]);
    sigpending(&w);
    printf("test process (root) reached: %d\n", sigismember(&w, SIGWINCH));
    return 0;
}
