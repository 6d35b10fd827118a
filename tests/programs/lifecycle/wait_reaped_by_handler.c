/* A SIGCHLD handler reaps the child (while (waitpid(-1, 0, WNOHANG) > 0);),
 * then main waits for the same pid: it is gone, so waitpid gives ECHILD. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t reaped;

static void on_chld(int sig)
{
    (void)sig;
    while (waitpid(-1, 0, WNOHANG) > 0)
        reaped++;
}

int main(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, 0);

    pid_t pid = fork();
    if (pid == 0)
        _exit(7);
    while (!reaped)
        pause();
    int status = 0;
    pid_t r = waitpid(pid, &status, 0);
    printf("reaped by handler: %d\n", (int)reaped);
    printf("waitpid(pid) = %d, errno %s\n", (int)r, r < 0 && errno == ECHILD ? "ECHILD" : strerror(errno));
    r = waitpid(-1, &status, WNOHANG);
    printf("waitpid(-1, WNOHANG) = %d, errno %s\n", (int)r, r < 0 && errno == ECHILD ? "ECHILD" : strerror(errno));
    return 0;
}
