/* The child takes a flock, then calls getppid(), into which the test injects
   a kernel bug: the child must die of SIGSEGV (an oops kills only the task
   in the kernel), its lock must be released by the exit path, and the
   parent goes on. */
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void) {
    int fd = open("/tmp/oops-lock", O_CREAT | O_RDWR, 0600);
    printf("parent before\n");
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        flock(fd, LOCK_EX);
        getppid();
        printf("child survived\n");
        return 0;
    }
    int status;
    waitpid(child, &status, 0);
    printf("child killed by %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : -1);
    printf("lock free: %d\n", flock(fd, LOCK_EX | LOCK_NB));
    return 0;
}
