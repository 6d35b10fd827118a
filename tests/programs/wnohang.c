/* X6/X7: WNOHANG returns 0 while a child runs; with no children at all wait
   fails with ECHILD, WNOHANG or not. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    int fd[2];
    pipe(fd);
    pid_t pid = fork();
    if (pid == 0) {        /* runs until the parent closes the pipe */
        char c;
        close(fd[1]);
        read(fd[0], &c, 1);
        _exit(3);
    }
    close(fd[0]);
    int st;
    printf("WNOHANG while the child runs: %d\n", waitpid(pid, &st, WNOHANG));
    close(fd[1]);
    printf("blocking wait: pid matches %d, status %d\n", waitpid(pid, &st, 0) == pid, WEXITSTATUS(st));
    errno = 0;
    printf("no children: %d ECHILD=%d\n", waitpid(-1, &st, 0), errno == ECHILD);
    errno = 0;
    printf("no children, WNOHANG: %d ECHILD=%d\n", waitpid(-1, &st, WNOHANG), errno == ECHILD);
    return 0;
}
