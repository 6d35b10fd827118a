/* fork_cycle N [G]: N times fork, _exit in the child, waitpid in the parent;
   then G getpid syscalls. */
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

int main(int argc, char **argv) {
    long cycles = argc > 1 ? atol(argv[1]) : 1000;
    long getpids = argc > 2 ? atol(argv[2]) : 0;
    for (long i = 0; i < cycles; i++) {
        pid_t pid = fork();
        if (pid == 0) _exit(0);
        waitpid(pid, 0, 0);
    }
    for (long i = 0; i < getpids; i++) syscall(SYS_getpid);
    return 0;
}
