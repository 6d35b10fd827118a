/* X1: a null-pointer write kills only the child that does it (SIGSEGV); the
   parent sees the signal in the status and carries on. */
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    pid_t pid = fork();
    if (pid == 0) {
        *(volatile int *)0 = 42;
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child killed by signal: %d, signal %d\n", WIFSIGNALED(st), WTERMSIG(st));
    printf("parent still running\n");
    return 0;
}
