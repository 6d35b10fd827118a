/* I1 (pipes), the textbook conversation: a parent and a child talk through two
   pipes, each side's read sleeping until the other has written (so the
   replies come out in order). A read returns what is there, not the count
   asked for; bytes come out in the order they went in, across writes. A
   reader sees EOF only once every write end is closed: while the reader
   itself still holds one, there is no EOF (O_NONBLOCK shows EAGAIN instead of
   hanging); the child's write ends close when it exits. Pipes only. */
#include <ctype.h>
#include "files_util.h"

int main(void)
{
    int down[2], up[2];
    pipe(down);
    pipe(up);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(down[1]);
        close(up[0]);
        char msg[64];
        long n;
        while ((n = read(down[0], msg, sizeof msg)) > 0) {   /* until EOF */
            for (long i = 0; i < n; i++)
                msg[i] = (char)toupper((unsigned char)msg[i]);
            write(up[1], msg, n);
        }
        write(up[1], "bye", 3);
        _exit(n == 0 ? 0 : 1);
    }
    close(down[0]);
    close(up[1]);
    const char *lines[] = {"hello", "how are you", "fine"};
    for (int i = 0; i < 3; i++) {
        char reply[64] = {0};
        write(down[1], lines[i], strlen(lines[i]));
        long n = read(up[0], reply, sizeof reply - 1);
        printf("parent said \"%s\", child answered \"%s\" (%ld bytes)\n", lines[i], reply, n);
    }
    close(down[1]);                          /* the child sees EOF */
    char reply[64] = {0};
    long n = read(up[0], reply, sizeof reply - 1);
    printf("after the parent closed its end, the child said \"%s\" (%ld)\n", reply, n);
    printf("child: %s\n", reap(pid));
    SHOW("read once the child is gone (EOF)", read(up[0], reply, 1));

    /* bytes in order, reads take what is there */
    int p[2];
    pipe(p);
    write(p[1], "abc", 3);
    write(p[1], "defg", 4);
    memset(reply, 0, sizeof reply);
    n = read(p[0], reply, 5);
    printf("two writes, read(5): %ld \"%s\"\n", n, reply);
    memset(reply, 0, sizeof reply);
    n = read(p[0], reply, 100);
    printf("read(100): %ld \"%s\"\n", n, reply);
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    SHOW("empty, our own write end still open: no EOF", read(p[0], reply, 1));
    close(p[1]);
    SHOW("write end closed: EOF", read(p[0], reply, 1));
    SHOW("EOF again", read(p[0], reply, 1));
    return 0;
}
