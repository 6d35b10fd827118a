/* select(2) called directly (the C library normalizes the timeval itself)
 * with timeouts at the limits of a long: tv_sec + tv_usec / 1000000 past
 * LONG_MAX wraps negative in the kernel's arithmetic (EINVAL); LONG_MAX
 * seconds on a readable pipe returns at once and writes back the time left. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <unistd.h>

static void try(const char *what, int n, fd_set *in, long sec, long usec)
{
    struct timeval tv = {sec, usec};
    long r = syscall(SYS_select, n, in, 0, 0, &tv);
    printf("%s: %ld %s, left %s\n", what, r, r < 0 ? strerror(errno) : "",
           tv.tv_sec > LONG_MAX - 1000000000L ? "about LONG_MAX s" : tv.tv_sec == sec ? "unchanged" : "other");
}

int main(void)
{
    int p[2];
    pipe(p);
    write(p[1], "x", 1);
    fd_set in;
    FD_ZERO(&in);
    FD_SET(p[0], &in);
    try("sec LONG_MAX, usec LONG_MAX", 0, 0, LONG_MAX, LONG_MAX);
    try("sec LONG_MAX - 5, usec 9000000", 0, 0, LONG_MAX - 5, 9000000);
    try("sec 0, usec -1", 0, 0, 0, -1);
    try("sec LONG_MAX, readable pipe", p[0] + 1, &in, LONG_MAX, 0);
    return 0;
}
