/* E1 (execve argument limits, fs/exec.c copy_strings/bprm_stack_limits):
   the program execve()s itself with big argument sets. A single string may be
   MAX_ARG_STRLEN (32 pages) long with its NUL, no longer; all strings, the
   file name and the argv/envp pointers together may take a quarter of
   RLIMIT_STACK (set to 8 MiB here). Below the limit the new image gets every
   argument (the child prints argc and their total length); beyond it execve
   fails with E2BIG and the old image goes on. Only sizes the test chooses are
   printed (never the path, whose length only moves the exact boundary). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK_RLIMIT (8UL << 20)
#define ARG_LIMIT (STACK_RLIMIT / 4)
#define MAX_ARG_STRLEN (32 * 4096UL)

static char *env[] = {"LIMITS=1", NULL};
static const char *self;

/* execve self with `n` extra strings of `len` chars (the last one `last`
   chars) after the mode word, in a child; print how it went. */
static void try_exec(const char *what, const char *mode, size_t n, size_t len, size_t last)
{
    char **argv = calloc(n + 3, sizeof(char *));
    char *block = malloc(len + 1), *tail = malloc(last + 1);
    memset(block, 'a', len);
    block[len] = 0;
    memset(tail, 'b', last);
    tail[last] = 0;
    argv[0] = (char *)self;
    argv[1] = (char *)mode;
    for (size_t i = 0; i < n; i++)
        argv[2 + i] = i + 1 == n ? tail : block;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execve(self, argv, env);
        printf("%s: execve: %s\n", what, errno == E2BIG ? "E2BIG" : errno == EFAULT ? "EFAULT" : "other");
        fflush(stdout);
        _exit(1);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("%s: status %d\n", what, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
    free(argv);
    free(block);
    free(tail);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "count") == 0) {
        size_t total = 0;
        for (int i = 2; i < argc; i++)
            total += strlen(argv[i]);
        printf("  child: argc %d, %zu bytes\n", argc, total);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "quiet") == 0) {
        printf("  child: started\n");
        return 0;
    }
    self = argv[0];
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    rl.rlim_cur = STACK_RLIMIT;
    if (setrlimit(RLIMIT_STACK, &rl) != 0) {
        printf("setrlimit failed\n");
        return 1;
    }
    try_exec("200 KiB", "count", 200, 1023, 1023);
    try_exec("1 MiB", "count", 1024, 1023, 1023);
    try_exec("100000 small", "count", 100000, 9, 9);
    try_exec("one 127 KiB", "count", 1, 0, 127 * 1024);
    try_exec("one MAX_ARG_STRLEN-1", "count", 1, 0, MAX_ARG_STRLEN - 1);
    try_exec("one MAX_ARG_STRLEN", "count", 1, 0, MAX_ARG_STRLEN);
    try_exec("3 MiB", "count", 3072, 1023, 1023);
    try_exec("300000 empty", "count", 300000, 0, 0);

    /* exactly at the limit, and one byte beyond it: the strings (with NULs)
       of argv, envp and the file name, plus a pointer for each argv and envp
       string; 1 KiB strings, the rest in the last one */
    size_t fixed = strlen(self) + 1 + strlen(self) + 1 + strlen("quiet") + 1 + strlen(env[0]) + 1
                   + 4 * sizeof(char *);
    size_t n = (ARG_LIMIT - fixed) / (1024 + sizeof(char *)) - 1;
    size_t last = ARG_LIMIT - fixed - n * (1024 + sizeof(char *)) - 1;
    n++;
    try_exec("at the limit", "quiet", n, 1023, last);
    try_exec("one byte beyond", "quiet", n, 1023, last + 1);
    return 0;
}
