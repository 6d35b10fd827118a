/* I1 (pipes: blocking writes, PIPE_BUF atomicity): four children write 32
   records of PIPE_BUF (4096) bytes each, every record filled with the
   writer's letter, into one pipe at the same time; the pipe holds only 16
   records, so writers sleep until the parent reads. Writes of at most
   PIPE_BUF are atomic: every record the parent reads is whole (one letter),
   and all 128 arrive. A blocking write bigger than the pipe returns only when
   all of it is written, while the reader takes it in small pieces. */
#include <limits.h>
#include "files_util.h"

enum { WRITERS = 4, RECORDS = 32 };

static long read_full(int fd, char *buf, long size)
{
    long got = 0, n;
    while (got < size && (n = read(fd, buf + got, size - got)) > 0)
        got += n;
    return got;
}

int main(void)
{
    static char rec[PIPE_BUF];
    int p[2];
    pipe(p);
    printf("PIPE_BUF %d\n", PIPE_BUF);
    fflush(stdout);
    for (int w = 0; w < WRITERS; w++) {
        if (fork() == 0) {
            close(p[0]);
            memset(rec, 'a' + w, sizeof rec);
            for (int i = 0; i < RECORDS; i++)
                if (write(p[1], rec, sizeof rec) != sizeof rec)
                    _exit(1);
            _exit(0);
        }
    }
    close(p[1]);
    int count[WRITERS] = {0}, torn = 0, total = 0;
    while (read_full(p[0], rec, sizeof rec) == sizeof rec) {
        total++;
        int w = rec[0] - 'a';
        for (int i = 1; i < PIPE_BUF; i++)
            if (rec[i] != rec[0]) {
                torn++;
                break;
            }
        if (w >= 0 && w < WRITERS)
            count[w]++;
    }
    printf("records %d, torn %d, per writer %d %d %d %d\n", total, torn, count[0], count[1], count[2], count[3]);
    int ok = 0;
    for (int w = 0; w < WRITERS; w++)
        ok += wait(NULL) > 0;
    printf("writers reaped %d\n", ok);
    close(p[0]);

    /* one big blocking write */
    static char big[300000], back[300000];
    for (long i = 0; i < (long)sizeof big; i++)
        big[i] = (char)(i * 7);
    pipe(p);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        _exit(write(p[1], big, sizeof big) == sizeof big ? 0 : 1);
    }
    close(p[1]);
    long got = 0, n, reads = 0;
    while ((n = read(p[0], back + got, 1000)) > 0) {
        got += n;
        reads++;
    }
    printf("a write of %ld bytes: the writer %s; %ld bytes read, equal %d, in more than 300 reads %d\n",
           (long)sizeof big, reap(pid), got, memcmp(big, back, sizeof big) == 0, reads >= 300);
    return 0;
}
