/* S2/G6: a stop and continue with no handler involved does not disturb a
   sleeping system call: read on a pipe, nanosleep, wait4 and sigsuspend carry on
   (restarted transparently, never EINTR). Only a handled signal (SIGUSR1 at
   the end) ends sigsuspend. Each child is stopped with SIGSTOP and continued with
   SIGCONT, both seen by the parent through waitpid(WUNTRACED/WCONTINUED). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/wait.h>

static int rep[2];
static void on_usr1(int sig) { (void)sig; }

static void say(const char *what, long r, int err) {
    char line[96];
    int n = snprintf(line, sizeof line, "%s returned %ld%s\n", what, r, r < 0 && err == EINTR ? " EINTR" : "");
    write(rep[1], line, n);
}

static void stop_and_continue(pid_t pid) {
    int st;
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    printf("  stopped %d by %d; ", WIFSTOPPED(st), WSTOPSIG(st));
    kill(pid, SIGCONT);
    waitpid(pid, &st, WCONTINUED);
    printf("continued %d\n", WIFCONTINUED(st));
}

static void finish(pid_t pid) {
    char line[96];
    ssize_t n = read(rep[0], line, sizeof line - 1);
    line[n > 0 ? n : 0] = 0;
    printf("  child: %s", line);
    int st;
    waitpid(pid, &st, 0);
    printf("  child exited %d\n", WEXITSTATUS(st));
}

int main(void) {
    pipe(rep);
    int data[2];
    pipe(data);
    printf("read:\n");
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char buf[16] = {0};
        close(data[1]);
        errno = 0;
        long r = read(data[0], buf, sizeof buf - 1);
        say("read", r, errno);
        _exit(0);
    }
    close(data[0]);
    stop_and_continue(pid);
    write(data[1], "hello", 5);
    close(data[1]);
    finish(pid);

    printf("nanosleep 300 ms:\n");
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct timespec ts = {0, 300000000};
        errno = 0;
        long r = nanosleep(&ts, NULL);
        say("nanosleep", r, errno);
        _exit(0);
    }
    stop_and_continue(pid);
    finish(pid);

    printf("wait4 for a grandchild:\n");
    pipe(data);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pid_t g = fork();
        if (g == 0) {
            char c;
            close(data[1]);
            read(data[0], &c, 1);
            _exit(4);
        }
        close(data[0]);
        close(data[1]);
        int st;
        errno = 0;
        long r = waitpid(g, &st, 0);
        say(r == g ? "waitpid (the grandchild)" : "waitpid", r == g ? 0 : r, errno);
        _exit(0);
    }
    close(data[0]);
    stop_and_continue(pid);
    close(data[1]);
    finish(pid);

    printf("sigsuspend:\n");
    signal(SIGUSR1, on_usr1);
    sigset_t b, none;
    sigemptyset(&b);
    sigemptyset(&none);
    sigaddset(&b, SIGUSR1);
    sigprocmask(SIG_BLOCK, &b, NULL);   /* inherited: a SIGUSR1 sent early waits for sigsuspend */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        errno = 0;
        long r = sigsuspend(&none);
        say("sigsuspend", r, errno);
        _exit(0);
    }
    stop_and_continue(pid);
    stop_and_continue(pid);
    kill(pid, SIGUSR1);
    finish(pid);
    return 0;
}
