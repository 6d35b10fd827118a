/* X3/F1 (with E2): execve from a non-leader thread. The other threads, the
   leader included, are killed; the exec'ing thread takes over the leader's
   pid, so the new program has pid == tid == the old tgid and the same
   parent, and the parent's wait reports that pid with the new program's
   status. A leader blocked in read does not hold the exec up. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char *self_path;
static char pid_arg[32], ppid_arg[32];

static void *execer(void *a)
{
    (void)a;
    char tid_differs[4];
    snprintf(tid_differs, sizeof tid_differs, "%d", (pid_t)syscall(SYS_gettid) != getpid());
    execl(self_path, self_path, "after-exec", pid_arg, ppid_arg, tid_differs, (char *)0);
    _exit(127);
}

int main(int argc, char **argv)
{
    if (argc == 5 && strcmp(argv[1], "after-exec") == 0) {
        pid_t tid = (pid_t)syscall(SYS_gettid);
        printf("new program: exec'd from a thread with its own tid %s\n", argv[4]);
        printf("new program: pid is the old tgid %d, tid == pid %d, same parent %d\n",
               getpid() == atoi(argv[2]), tid == getpid(), getppid() == atoi(argv[3]));
        return 17;
    }
    self_path = argv[0];
    int p[2];
    pipe(p);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        snprintf(pid_arg, sizeof pid_arg, "%d", getpid());
        snprintf(ppid_arg, sizeof ppid_arg, "%d", getppid());
        pthread_t t;
        pthread_create(&t, 0, execer, 0);
        char c;
        read(p[0], &c, 1);          /* the leader blocks; nobody writes */
        printf("leader: read returned (wrong)\n");
        _exit(1);
    }
    int st;
    pid_t got = waitpid(pid, &st, 0);
    printf("parent: reaped the same pid %d, status %d\n", got == pid, WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    return 0;
}
