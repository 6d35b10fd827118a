/* I1: open file descriptions. dup'ed fds and fds inherited by fork share one
   open file description: its offset (a read or lseek through one moves the
   other) and its status flags (O_APPEND, O_NONBLOCK set with F_SETFL through
   one show through the other), but not the fd flag FD_CLOEXEC, which belongs
   to the fd. A second open() of the same file is a new description with its
   own offset. A forked child's reads move the parent's offset; the parent
   continues where the child stopped. */
#include "files_util.h"

static long pos(int fd) { return lseek(fd, 0, SEEK_CUR); }

int main(void)
{
    enter_tmpdir();
    put_file("data", "0123456789abcdefghij");
    char buf[8] = {0};

    int a = open("data", O_RDONLY);
    int b = dup(a);
    read(a, buf, 4);
    printf("read 4 through fd a: \"%s\"; offsets a %ld, dup b %ld\n", buf, pos(a), pos(b));
    read(b, buf, 2);
    buf[2] = 0;
    printf("read 2 through b: \"%s\"; offsets a %ld, b %ld\n", buf, pos(a), pos(b));
    lseek(b, 15, SEEK_SET);
    printf("lseek(b, 15): offset of a %ld\n", pos(a));

    int c = open("data", O_RDONLY);
    read(c, buf, 3);
    buf[3] = 0;
    printf("second open() reads from 0: \"%s\"; offsets a %ld, c %ld\n", buf, pos(a), pos(c));

    /* fork */
    lseek(a, 0, SEEK_SET);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char x[5];
        _exit(read(a, x, 5) == 5 ? 0 : 1);
    }
    printf("child read 5 bytes through its inherited fd: %s\n", reap(pid));
    memset(buf, 0, sizeof buf);
    read(a, buf, 3);
    printf("the parent reads on from offset 5: \"%s\", offset %ld\n", buf, pos(a));

    /* status flags are shared, the fd flag is not */
    int w = open("data", O_WRONLY);
    int w2 = dup(w);
    fcntl(w2, F_SETFL, O_APPEND);
    printf("F_SETFL O_APPEND on the dup: original has O_APPEND %d\n", (fcntl(w, F_GETFL) & O_APPEND) != 0);
    write(w, "Z", 1);
    printf("write through the original appends: offset %ld (size 21)\n", pos(w));
    fcntl(w2, F_SETFD, FD_CLOEXEC);
    printf("FD_CLOEXEC on the dup: dup %d, original %d\n", fcntl(w2, F_GETFD), fcntl(w, F_GETFD));
    fcntl(w, F_SETFL, O_NONBLOCK);
    printf("F_SETFL O_NONBLOCK on the original: dup has O_NONBLOCK %d, O_APPEND %d\n",
           (fcntl(w2, F_GETFL) & O_NONBLOCK) != 0, (fcntl(w2, F_GETFL) & O_APPEND) != 0);

    /* closing one fd leaves the description open for the other */
    close(a);
    lseek(b, 10, SEEK_SET);
    memset(buf, 0, sizeof buf);
    read(b, buf, 3);
    printf("after close(a), b still reads: \"%s\"\n", buf);
    close(b);
    close(c);
    close(w);
    close(w2);
    get_file("data", buf, sizeof buf);
    printf("file starts with \"%s\"\n", buf);
    leave_tmpdir();
    return 0;
}
