/* Leaves a zombie (its first child exits and is not waited for yet) and an
   orphan (a grandchild whose parent exits), then lets the host's own ps and
   pstree, running on the simulated kernel, look at /proc. The orphan is ps
   itself: it sleeps until its parent is gone, then execs ps. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>

int main(void) {
    pid_t zombie = fork();
    if (zombie == 0) _exit(0);
    pid_t parent = fork();
    if (parent == 0) {
        if (fork() == 0) {
            sleep(1);
            execlp("ps", "ps", "-eo", "pid,ppid,stat,comm", (char *)0);
            _exit(127);
        }
        _exit(0);
    }
    waitpid(parent, 0, 0);
    sleep(2);
    fflush(stdout);
    if (system("pstree -p") != 0) return 1;
    waitpid(zombie, 0, 0);
    return 0;
}
