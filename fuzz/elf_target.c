/* The ELF mutator's target: small, static, and touching what exec sets up:
 * its data and bss, a TLS variable (PT_TLS), argv, the stack, brk, fork and wait. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static __thread int tls = 42;
static int data = 7;
static char bss[8192];

int main(int argc, char **argv)
{
    bss[sizeof bss - 1] = (char)argc;
    char *heap = malloc(100000);
    pid_t pid = fork();
    if (pid == 0)
        _exit(tls + data);
    int status = 0;
    waitpid(pid, &status, 0);
    printf("%s: tls %d, data %d, child %d, heap %s\n", argv[0], tls, data, WEXITSTATUS(status),
           heap ? "yes" : "no");
    return 0;
}
