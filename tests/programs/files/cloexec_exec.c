/* E2, I1: exec keeps the fds without FD_CLOEXEC, with their open file
   descriptions (the offset a read moved before exec is where the new program
   reads on), and closes those with FD_CLOEXEC, however the flag was set:
   open(O_CLOEXEC), F_DUPFD_CLOEXEC, dup3(O_CLOEXEC), F_SETFD, pipe2(O_CLOEXEC).
   F_SETFD 0 clears it again; dup never copies it. A failed execve closes
   nothing. The program execs itself with the fd numbers in argv; the new image
   reports which are open and writes into the surviving pipe. */
#include "files_util.h"

static const char *labels[] = {"plain file fd (offset 2)", "open(O_CLOEXEC)", "F_DUPFD_CLOEXEC",
                               "dup3(O_CLOEXEC)", "F_SETFD FD_CLOEXEC", "F_SETFD 1 then 0",
                               "dup of a close-on-exec fd", "pipe2(O_CLOEXEC) read end",
                               "pipe write end"};
enum { N = sizeof labels / sizeof labels[0] };

static int after_exec(char **fds)
{
    for (int i = 0; i < N; i++) {
        int fd = atoi(fds[i]);
        printf("after exec, %s: %s\n", labels[i], fcntl(fd, F_GETFD) != -1 ? "open" : "closed");
    }
    char buf[8] = {0};
    read(atoi(fds[0]), buf, 3);
    printf("the plain fd reads on at offset 2: \"%s\"\n", buf);
    write(atoi(fds[N - 1]), "from the new image", 18);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == N + 2)
        return after_exec(argv + 2);
    enter_tmpdir();
    put_file("f", "abcdefgh");
    int fd[N];
    char two[2];
    fd[0] = open("f", O_RDONLY);
    read(fd[0], two, 2);
    fd[1] = open("f", O_RDONLY | O_CLOEXEC);
    fd[2] = fcntl(fd[0], F_DUPFD_CLOEXEC, 0);
    fd[3] = dup3(fd[0], 20, O_CLOEXEC);
    fd[4] = dup(fd[0]);
    fcntl(fd[4], F_SETFD, FD_CLOEXEC);
    fd[5] = dup(fd[0]);
    fcntl(fd[5], F_SETFD, FD_CLOEXEC);
    fcntl(fd[5], F_SETFD, 0);
    fd[6] = dup(fd[1]);
    int p[2], q[2];
    pipe2(p, O_CLOEXEC);
    pipe(q);
    fd[7] = p[0];
    fd[8] = q[1];

    char num[N][12], *args[N + 3];
    args[0] = argv[0];
    args[1] = "after-exec";
    for (int i = 0; i < N; i++) {
        snprintf(num[i], sizeof num[i], "%d", fd[i]);
        args[i + 2] = num[i];
    }
    args[N + 2] = 0;

    errno = 0;
    execv("./no-such-program", args);
    printf("a failed execve (%s) keeps the close-on-exec fds: %d\n", ename(errno), fcntl(fd[1], F_GETFD) == 1);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        execv(argv[0], args);
        _exit(127);
    }
    printf("the exec'd child: %s\n", reap(pid));
    close(q[1]);
    char buf[64] = {0};
    read(q[0], buf, sizeof buf - 1);
    printf("from the pipe: %s\n", buf);
    leave_tmpdir();
    return 0;
}
