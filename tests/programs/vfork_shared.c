/* F7: a vfork child runs in the parent's memory; the parent waits until the
   child exits, then sees what it wrote. */
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int shared = 1;
int main(void) {
    volatile int local = 10;
    pid_t pid = vfork();
    if (pid == 0) {
        shared = 2;
        local = 20;
        _exit(7);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("after vfork: shared=%d local=%d child status=%d\n", shared, local, WEXITSTATUS(st));
    return 0;
}
