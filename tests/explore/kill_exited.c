/* A signal sent to a child that may already have exited: the child is
   killed by it, or it had exited (kill still succeeds on a zombie). */
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int status;
    pid_t pid = fork();
    if (pid == 0)
        _exit(3);
    int r = kill(pid, SIGTERM);
    waitpid(pid, &status, 0);
    printf("kill %d, %s %d\n", r, WIFSIGNALED(status) ? "signal" : "exit",
           WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return 0;
}
