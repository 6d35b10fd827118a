/* X8/X9: zombies keep their exit status until reaped, in any order. */
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>
int main(void) {
    pid_t kids[4];
    for (int i = 0; i < 4; i++) {
        kids[i] = fork();
        if (kids[i] == 0) _exit(10 + i);
    }
    int order[4] = {2, 0, 3, 1};
    for (int j = 0; j < 4; j++) {
        int st, i = order[j];
        pid_t got = waitpid(kids[i], &st, 0);
        printf("reaped child %d: pid matches %d, exit status %d\n", i, got == kids[i], WEXITSTATUS(st));
    }
    return 0;
}
