/* F2/X9: copy_process refuses a new process with EAGAIN once the user has
   RLIMIT_NPROC processes, and zombies count until they are reaped. Root is
   exempt, so a child becomes uid/gid 54321 (needs root to start) with
   RLIMIT_NPROC 4: itself plus three zombies make the fourth fork fail;
   reaping one lets one more fork through. Then a bounded fork bomb: a chain
   where every process forks the next until fork fails, each returning its
   depth. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static int chain(void)          /* fork the next link until fork fails */
{
    pid_t pid = fork();
    if (pid < 0) return errno == EAGAIN ? 0 : 100;
    if (pid == 0) _exit(chain());
    int st;
    waitpid(pid, &st, 0);
    return WEXITSTATUS(st) + 1;
}

int main(void)
{
    if (geteuid() != 0) {
        printf("needs root\n");
        return 1;
    }
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        struct rlimit rl = {4, 4};
        setrlimit(RLIMIT_NPROC, &rl);
        if (setresgid(54321, 54321, 54321) || setresuid(54321, 54321, 54321)) {
            printf("cannot change uid\n");
            _exit(1);
        }
        pid_t kids[4];
        int made = 0;
        for (int i = 0; i < 4; i++) {
            kids[i] = fork();
            if (kids[i] == 0) _exit(i);
            if (kids[i] < 0) break;
            made++;
        }
        printf("as uid 54321 with RLIMIT_NPROC 4: forks before failing %d, errno EAGAIN %d\n",
               made, errno == EAGAIN);
        int st;
        waitpid(kids[0], &st, 0);                 /* one zombie fewer */
        pid_t again = fork();
        if (again == 0) _exit(9);
        printf("after reaping one zombie: fork works %d\n", again > 0);
        errno = 0;
        pid_t more = fork();
        if (more == 0) _exit(10);
        printf("and the next one fails with EAGAIN %d\n", more < 0 && errno == EAGAIN);
        while (wait(&st) > 0) {}
        printf("fork bomb (a chain) stops at depth %d\n", chain());
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("child status %d\n", WEXITSTATUS(st));
    return 0;
}
