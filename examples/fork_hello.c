/* The first fork: one program, two processes. fork() returns 0 in the child
   and the child's pid in the parent; the parent waits for the child to end
   and reads its exit status. */
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

int main(void) {
    printf("hello from the only process\n");
    fflush(stdout);                 /* or the child would print it again */
    pid_t pid = fork();
    if (pid == 0) {
        printf("hello from the child\n");
        return 7;
    }
    int status;
    waitpid(pid, &status, 0);
    printf("hello from the parent: my child exited with %d\n", WEXITSTATUS(status));
    return 0;
}
