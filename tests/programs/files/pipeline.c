/* I1, E2, issue 5 (a shell pipeline by hand): `sh -c 'echo ...' | sort |
   head -n 2`, with the parent reading head's output through a fourth pipe.
   Each stage is forked, dup2's its pipe ends onto fds 0 and 1, closes every
   other pipe fd, and execs the host's program (dynamically linked). The
   parent closes its copies of the write ends, or sort would never see EOF;
   head exits after two lines, and the stages are reaped in order. */
#include "files_util.h"

static char *env[] = {"PATH=/usr/bin:/bin", "LC_ALL=C", 0};
static int pipes[3][2];

static pid_t stage(int in, int out, char **argv)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (in >= 0)
        dup2(in, 0);
    dup2(out, 1);
    for (int i = 0; i < 3; i++) {
        close(pipes[i][0]);
        close(pipes[i][1]);
    }
    execve(argv[0], argv, env);
    _exit(127);
}

int main(void)
{
    for (int i = 0; i < 3; i++)
        pipe(pipes[i]);
    char *echo[] = {"/bin/sh", "-c", "echo cherry; echo apple; echo banana; echo date", 0};
    char *sort[] = {"/usr/bin/sort", 0};
    char *head[] = {"/usr/bin/head", "-n", "2", 0};
    pid_t a = stage(-1, pipes[0][1], echo);
    pid_t b = stage(pipes[0][0], pipes[1][1], sort);
    pid_t c = stage(pipes[1][0], pipes[2][1], head);
    for (int i = 0; i < 3; i++) {
        if (i < 2)
            close(pipes[i][0]);
        close(pipes[i][1]);
    }
    char buf[256] = {0};
    long got = 0, n;
    while ((n = read(pipes[2][0], buf + got, sizeof buf - 1 - got)) > 0)
        got += n;
    printf("the pipeline printed %ld bytes:\n%s", got, buf);
    printf("sh: %s\n", reap(a));
    printf("sort: %s\n", reap(b));
    printf("head: %s\n", reap(c));
    return 0;
}
