/* E2: exec replaces the program but keeps the pid and the parent. The program
   execs itself with an argument; the new image checks what it inherited. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
int main(int argc, char **argv) {
    if (argc == 3) {    /* the new image: argv[1] = pid before exec, argv[2] = ppid */
        printf("after exec: same pid %d, same parent %d, argv[0]=%s\n",
               getpid() == atoi(argv[1]), getppid() == atoi(argv[2]), strrchr(argv[0], '/') ? "path" : argv[0]);
        return 4;
    }
    pid_t pid = fork();
    if (pid == 0) {
        char me[32], parent[32];
        snprintf(me, sizeof me, "%d", getpid());
        snprintf(parent, sizeof parent, "%d", getppid());
        execl(argv[0], argv[0], me, parent, (char *)NULL);
        perror("execl");
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("child exited with %d\n", WEXITSTATUS(st));
    return 0;
}
