/* Wait on stdin for urgent data only (poll's POLLPRI, or select's exceptfds
 * with the "select" argument), for ever, under alarm(60). Input that is there
 * is POLLIN, not POLLPRI: unless stdin is hung up (a pipe whose writer is
 * gone reports POLLHUP, asked for or not; select does not count it as an
 * exception), the wait goes on until SIGALRM kills the process (status 142). */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    alarm(60);
    if (argc > 1 && strcmp(argv[1], "select") == 0) {
        fd_set ex;
        FD_ZERO(&ex);
        FD_SET(0, &ex);
        int r = select(1, 0, 0, &ex, 0);
        printf("select = %d\n", r);
        return 0;
    }
    struct pollfd p = {0, POLLPRI, 0};
    int r = poll(&p, 1, -1);
    printf("poll = %d revents %#x\n", r, p.revents);
    return 0;
}
