#define _GNU_SOURCE
/* Issue 15: RLIMIT_AS also bounds what execve and shmat map.
   - execve: the strings are copied onto the new stack first, which may grow
     past its first page only within RLIMIT_AS: beyond it execve fails with
     E2BIG and the old program goes on. The stack and the program's segments
     are mapped after the point of no return: a limit they do not fit kills
     the process with SIGSEGV. A roomy limit runs the program.
   - shmat: ENOMEM when the segment does not fit RLIMIT_AS; a shared segment
     is not data, RLIMIT_DATA does not bound it. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#define KB 1024UL
#define MB (1024 * KB)

static void report(const char *what, int st)
{
    if (WIFEXITED(st))
        printf("%s: exit %d\n", what, WEXITSTATUS(st));
    else
        printf("%s: killed by signal %d\n", what, WTERMSIG(st));
}

/* In a child: RLIMIT_AS `as`, then execve of this program with an argument of
   `argbytes` bytes. Exit 10 is E2BIG, 11 ENOMEM, 42 the new program ran. */
static void exec_under(const char *what, rlim_t as, size_t argbytes)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_DUMPABLE, 0);
        char *big = malloc(argbytes + 1);
        memset(big, 'x', argbytes);
        big[argbytes] = 0;
        struct rlimit rl = { as, RLIM_INFINITY };
        setrlimit(RLIMIT_AS, &rl);
        char *args[] = { "rlimit_as_exec_shmat", "child", big, 0 }, *env[] = { 0 };
        execve("/proc/self/exe", args, env);     /* no environment: the same strings everywhere */
        _exit(errno == E2BIG ? 10 : errno == ENOMEM ? 11 : 12);
    }
    int st;
    waitpid(pid, &st, 0);
    report(what, st);
}

static const char *result(void *p)
{
    return p != (void *)-1 ? "ok" : errno == ENOMEM ? "ENOMEM" : strerror(errno);
}

static void shmat_under(void)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int big = shmget(IPC_PRIVATE, 64 * MB, IPC_CREAT | 0600);
        int small = shmget(IPC_PRIVATE, 4 * MB, IPC_CREAT | 0600);
        struct rlimit rl = { 32 * MB, RLIM_INFINITY };
        setrlimit(RLIMIT_AS, &rl);
        void *p = shmat(big, 0, 0);
        printf("shmat 64 MiB under a 32 MiB RLIMIT_AS: %s\n", result(p));
        p = shmat(small, 0, 0);
        printf("shmat 4 MiB under it: %s\n", result(p));
        shmdt(p);
        rl.rlim_cur = RLIM_INFINITY;
        setrlimit(RLIMIT_AS, &rl);
        rl.rlim_cur = 1 * MB;
        setrlimit(RLIMIT_DATA, &rl);
        p = shmat(small, 0, 0);
        printf("shmat 4 MiB under a 1 MiB RLIMIT_DATA: %s\n", result(p));
        shmdt(p);
        shmctl(big, IPC_RMID, 0);
        shmctl(small, IPC_RMID, 0);
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, 0, 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "child") == 0)
        return 42;
    exec_under("RLIMIT_AS 0, a short argument", 0, 10);
    exec_under("RLIMIT_AS 0, an 8 KiB argument", 0, 8 * KB);
    exec_under("RLIMIT_AS 64 KiB, an 8 KiB argument", 64 * KB, 8 * KB);
    exec_under("RLIMIT_AS 64 KiB, a 100 KiB argument", 64 * KB, 100 * KB);
    exec_under("RLIMIT_AS 100 KiB, a short argument", 100 * KB, 10);
    exec_under("RLIMIT_AS 2 MiB, a short argument", 2 * MB, 10);
    shmat_under();
    return 0;
}
