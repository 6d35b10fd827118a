/* I1, G2: writing to a pipe that no reader has open. With SIGPIPE ignored the
   write fails with EPIPE, also when the last reader went away by exiting
   (its fds closed by exit), and a writer sleeping in write on a full pipe is
   woken when the last reader closes: it returns the bytes it had written
   (more than 0, fewer than asked), and the next write fails with EPIPE. The
   default action of SIGPIPE kills: a child dies by signal 13, and at the end
   this program itself dies of it, so its status is 141 (128 + 13) as a
   shell shows it. Pipes only. */
#include <signal.h>
#include "files_util.h"

static char big[200000];

int main(void)
{
    int p[2];
    char c;
    signal(SIGPIPE, SIG_IGN);

    pipe(p);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);                              /* holds the read end, then exits */
    close(p[0]);
    printf("the only other reader exited: %s\n", reap(pid));
    SHOW("write with no reader left", write(p[1], "x", 1));
    close(p[1]);

    /* a writer asleep on a full pipe */
    pipe(p);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        close(p[1]);
        read(p[0], &c, 1);                     /* the parent is writing by now */
        usleep(100000);                        /* let it fill the pipe and sleep */
        _exit(0);
    }
    close(p[0]);
    long n = write(p[1], big, sizeof big);
    printf("write of %ld bytes while the reader leaves: returned a partial count %d\n", (long)sizeof big,
           n > 0 && n < (long)sizeof big);
    SHOW("the next write", write(p[1], big, 10));
    printf("reader: %s\n", reap(pid));

    /* the default action */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        signal(SIGPIPE, SIG_DFL);
        write(p[1], "x", 1);
        _exit(0);
    }
    printf("a writer with SIGPIPE at SIG_DFL: %s\n", reap(pid));
    signal(SIGPIPE, SIG_DFL);
    printf("and now this program writes\n");
    fflush(stdout);
    write(p[1], "x", 1);
    printf("not reached\n");
    return 0;
}
