/* G7/X4: a process group that becomes orphaned while one of its members is
   stopped gets SIGHUP then SIGCONT. Layout: the test is a child subreaper; S
   makes a new session; A (child of S) leads a new group in it; B1 and B2 (A's
   children, A's group) stop themselves; A exits. B1/B2 are adopted by the
   test, which is in another session, so A's group has no member with a parent
   in another group of its session: orphaned. B1 catches both signals (in the
   order SIGHUP, SIGCONT); B2 keeps SIG_DFL and dies by SIGHUP. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static char got[64];
static int ngot;
static void add(const char *s) {
    while (*s && ngot < 60) got[ngot++] = *s++;
}
static void on_hup(int sig) { (void)sig; add(" HUP"); }
static void on_cont(int sig) { (void)sig; add(" CONT"); }

int main(void) {
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    pid_t top = getpid();
    int rep[2], ids[2];
    pipe(rep);
    pipe(ids);
    fflush(stdout);
    pid_t s = fork();
    if (s == 0) {
        setsid();
        pid_t a = fork();
        if (a == 0) {
            setpgid(0, 0);
            pid_t b[2];
            for (int i = 0; i < 2; i++) {
                b[i] = fork();
                if (b[i] == 0) {
                    if (i == 0) {
                        struct sigaction sa;
                        memset(&sa, 0, sizeof sa);
                        sigfillset(&sa.sa_mask);
                        sa.sa_handler = on_hup;
                        sigaction(SIGHUP, &sa, NULL);
                        sa.sa_handler = on_cont;
                        sigaction(SIGCONT, &sa, NULL);
                    } else {
                        signal(SIGHUP, SIG_DFL);
                    }
                    raise(SIGSTOP);
                    char line[128];
                    int n = snprintf(line, sizeof line, "B1 got:%.*s; parent is now the subreaper %d\n", ngot, got, getppid() == top);
                    write(rep[1], line, n);
                    _exit(0);
                }
            }
            write(ids[1], b, sizeof b);
            int st;
            for (int i = 0; i < 2; i++) waitpid(b[i], &st, WUNTRACED);
            _exit(0);    /* orphans A's group */
        }
        int st;
        waitpid(a, &st, 0);
        _exit(0);
    }
    close(rep[1]);
    close(ids[1]);
    pid_t b[2];
    read(ids[0], b, sizeof b);
    char line[128];
    ssize_t n = read(rep[0], line, sizeof line - 1);
    line[n > 0 ? n : 0] = 0;
    printf("%s", line);
    int st, count = 0;
    pid_t p;
    int b1 = -1, b2 = -1, sst = -1;
    while ((p = wait(&st)) > 0) {
        count++;
        if (p == b[0]) b1 = st;
        else if (p == b[1]) b2 = st;
        else if (p == s) sst = st;
    }
    printf("reaped %d: S exited %d; B1 exited %d; B2 killed %d by %d\n", count, WIFEXITED(sst) ? WEXITSTATUS(sst) : -1,
           WIFEXITED(b1) ? WEXITSTATUS(b1) : -1, WIFSIGNALED(b2), WTERMSIG(b2));
    return 0;
}
