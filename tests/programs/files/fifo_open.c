/* I1, FIFOs (mkfifo, fs/pipe.c fifo_open): opening one end of a FIFO waits
   for the other end: a blocking read-only open returns only once a writer
   has opened, a blocking write-only open only once a reader has (each side
   checks that the other did something first: a file the other side made
   just before its open). Then the FIFO is a pipe: bytes in order, EOF when
   the writer is gone. O_NONBLOCK: a write-only open with no reader is ENXIO,
   a read-only open succeeds at once and reads EOF; O_RDWR never waits. The
   data lives only while some end is open. A blocking open interrupted by a
   signal whose handler has no SA_RESTART fails with EINTR and leaves no
   reader behind. lseek is ESPIPE. */
#include <signal.h>
#include <sys/time.h>
#include "files_util.h"

static void on_alarm(int sig) { (void)sig; }

int main(void)
{
    enter_tmpdir();
    umask(022);
    SHOW("mkfifo fifo", mkfifo("fifo", 0666));

    /* a reader waits for the writer */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(open("writer_came", O_WRONLY | O_CREAT, 0644));
        int w = open("fifo", O_WRONLY);
        write(w, "hello through a fifo", 20);
        _exit(w < 0);
    }
    int r = open("fifo", O_RDONLY);
    printf("read-only open returned after the writer came: %d\n", access("writer_came", F_OK) == 0);
    char buf[64] = {0};
    long n, total = 0;
    while ((n = read(r, buf + total, sizeof buf - 1 - total)) > 0)
        total += n;
    printf("read until EOF: %ld \"%s\", last read %ld\n", total, buf, n);
    printf("writer: %s\n", reap(pid));
    close(r);

    /* a writer waits for the reader */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        int w = open("fifo", O_WRONLY);
        int came = access("reader_came", F_OK) == 0;
        write(w, "x", 1);
        _exit(came ? 0 : 1);
    }
    close(open("reader_came", O_WRONLY | O_CREAT, 0644));
    r = open("fifo", O_RDONLY);
    memset(buf, 0, sizeof buf);
    SHOW("read what the waiting writer wrote", read(r, buf, sizeof buf));
    printf("writer (0: its open returned after the reader came): %s\n", reap(pid));
    close(r);

    /* O_NONBLOCK */
    SHOW("O_WRONLY|O_NONBLOCK, no reader", open("fifo", O_WRONLY | O_NONBLOCK));
    r = open("fifo", O_RDONLY | O_NONBLOCK);
    SHOW_OK("O_RDONLY|O_NONBLOCK, no writer", r);
    SHOW("read: EOF", read(r, buf, sizeof buf));
    int w = open("fifo", O_WRONLY | O_NONBLOCK);
    SHOW_OK("O_WRONLY|O_NONBLOCK with a reader", w);
    SHOW("write 5", write(w, "abcde", 5));
    SHOW("read 3", read(r, buf, 3));
    SHOW("lseek", lseek(r, 0, SEEK_CUR));
    close(w);
    SHOW("writer closed, read the rest", read(r, buf, sizeof buf));
    SHOW("then EOF", read(r, buf, sizeof buf));
    close(r);

    /* O_RDWR never waits; data dies with the last opener */
    int rw = open("fifo", O_RDWR);
    SHOW_OK("O_RDWR, nobody else", rw);
    SHOW("write 4 to itself", write(rw, "data", 4));
    close(rw);
    rw = open("fifo", O_RDWR | O_NONBLOCK);
    SHOW("reopened: the data is gone", read(rw, buf, sizeof buf));
    int r2 = open("fifo", O_RDONLY | O_NONBLOCK);
    write(rw, "shared", 6);
    SHOW("another reader reads the same pipe", read(r2, buf, sizeof buf));
    close(r2);
    close(rw);

    /* EPIPE once the reader is gone */
    signal(SIGPIPE, SIG_IGN);
    r = open("fifo", O_RDONLY | O_NONBLOCK);
    w = open("fifo", O_WRONLY);
    close(r);
    SHOW("write with no reader left", write(w, "x", 1));
    close(w);

    /* a signal ends a blocking open */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, 0);
    struct itimerval it = {{0, 0}, {0, 50000}};
    setitimer(ITIMER_REAL, &it, 0);
    SHOW("blocking O_RDONLY, interrupted", open("fifo", O_RDONLY));
    SHOW("then O_WRONLY|O_NONBLOCK: no reader was left behind", open("fifo", O_WRONLY | O_NONBLOCK));

    struct stat sb;
    stat("fifo", &sb);
    printf("stat: fifo %d, mode %04o, size %ld\n", S_ISFIFO(sb.st_mode), (unsigned)(sb.st_mode & 07777), (long)sb.st_size);
    SHOW("unlink fifo", unlink("fifo"));
    leave_tmpdir();
    return 0;
}
