/* CPL 3: privileged instructions (hlt, cli, in/out) raise #GP, which Linux
   turns into SIGSEGV; the parent sees each child killed by signal 11. */
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

static void try(const char *what, int which) {
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        if (which == 0) __asm__ volatile("hlt");
        if (which == 1) __asm__ volatile("cli");
        if (which == 2) __asm__ volatile("outb %%al, $0x80" : : "a"(0));
        _exit(0);
    }
    int st;
    waitpid(p, &st, 0);
    printf("%s: killed %d by signal %d\n", what, WIFSIGNALED(st), WTERMSIG(st));
}

int main(void) {
    try("hlt", 0);
    try("cli", 1);
    try("out", 2);
    return 0;
}
