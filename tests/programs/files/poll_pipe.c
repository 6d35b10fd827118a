/* I1: poll on pipes and other files (fs/select.c, pipe_poll). An empty pipe
   with a zero timeout: 0 and no events. Data: POLLIN on the read end. The
   writer gone: POLLIN|POLLHUP while data is left, then POLLHUP alone. The
   reader gone: POLLOUT|POLLERR on the write end (asked for or not). A full
   pipe: no POLLOUT. Events not asked for are not reported (POLLERR and
   POLLHUP always are); a negative fd is skipped; a closed fd and an O_PATH
   handle give POLLNVAL and count. Regular files, directories, /dev/null
   and /dev/urandom are always ready (DEFAULT_POLLMASK), /dev/random only
   readable. nfds above RLIMIT_NOFILE: EINVAL; a bad array: EFAULT. */
#include "files_util.h"
#include <poll.h>
#include <sys/resource.h>

static void show_poll(const char *label, struct pollfd *p, int n, int timeout)
{
    errno = 0;
    int r = poll(p, n, timeout);
    if (r < 0) {
        printf("%s: -1 %s\n", label, ename(errno));
        return;
    }
    printf("%s: %d", label, r);
    for (int i = 0; i < n; i++)
        printf(" [%#x]", p[i].revents);
    printf("\n");
}

int main(void)
{
    enter_tmpdir();
    int fd[2];
    pipe(fd);
    struct pollfd p[2] = {{fd[0], POLLIN | POLLOUT, 0x7777}, {fd[1], POLLIN | POLLOUT, 0x7777}};
    show_poll("empty pipe, read end, timeout 0", p, 1, 0);
    show_poll("empty pipe, both ends", p, 2, 0);
    write(fd[1], "abc", 3);
    show_poll("after a write", p, 2, 0);
    p[0].events = POLLOUT;
    show_poll("read end asked only for POLLOUT", p, 1, 0);
    p[0].events = POLLIN;

    /* writer gone */
    close(fd[1]);
    show_poll("writer closed, data left", p, 1, 0);
    char buf[8];
    read(fd[0], buf, sizeof buf);
    show_poll("writer closed, drained", p, 1, -1);
    p[0].events = 0;
    show_poll("writer closed, no events asked", p, 1, 0);
    close(fd[0]);

    /* reader gone */
    pipe(fd);
    close(fd[0]);
    struct pollfd w = {fd[1], POLLOUT, 0};
    show_poll("reader closed, POLLOUT asked", &w, 1, 0);
    w.events = POLLIN;
    show_poll("reader closed, POLLIN asked", &w, 1, -1);
    close(fd[1]);

    /* a full pipe */
    pipe(fd);
    fcntl(fd[1], F_SETFL, O_NONBLOCK);
    char page[4096];
    memset(page, 'x', sizeof page);
    long total = 0, n;
    while ((n = write(fd[1], page, sizeof page)) > 0)
        total += n;
    printf("filled with %ld bytes\n", total);
    w.fd = fd[1];
    w.events = POLLOUT;
    show_poll("full pipe, POLLOUT asked", &w, 1, 0);
    struct pollfd r = {fd[0], POLLIN, 0};
    show_poll("full pipe, read end", &r, 1, 0);
    read(fd[0], page, 100);
    show_poll("100 bytes read (the slot is still in use)", &w, 1, 0);
    read(fd[0], page, sizeof page - 100);
    show_poll("the rest of the page read", &w, 1, 0);

    /* bad fds */
    int closed = dup(0);
    close(closed);
    struct pollfd bad[3] = {{-1, POLLIN, 0x7777}, {closed, POLLIN, 0}, {fd[0], POLLIN, 0}};
    show_poll("negative fd, closed fd, ready fd", bad, 3, 0);
    int opath = open("/", O_PATH);
    struct pollfd op = {opath, POLLIN | POLLOUT, 0};
    show_poll("O_PATH handle", &op, 1, 0);
    close(opath);
    close(fd[0]);
    close(fd[1]);

    /* files without a poll method */
    put_file("f", "data");
    struct pollfd files[5] = {
        {open("f", O_RDONLY), POLLIN | POLLOUT | POLLPRI, 0},
        {open(".", O_RDONLY | O_DIRECTORY), POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM, 0},
        {open("/dev/null", O_WRONLY), POLLIN | POLLOUT, 0},
        {open("/dev/urandom", O_RDONLY), 0xffff, 0},
        {open("/dev/random", O_RDONLY), 0xffff, 0},
    };
    show_poll("file, dir, /dev/null, /dev/urandom, /dev/random", files, 5, -1);
    for (int i = 0; i < 5; i++)
        close(files[i].fd);

    /* limits and faults */
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    SHOW("nfds = RLIMIT_NOFILE + 1", poll(NULL, rl.rlim_cur + 1, 0));
    SHOW("nfds 0, null array", poll(NULL, 0, 0));
    SHOW("nfds 1, null array", poll(NULL, 1, 0));
    SHOW("nfds 1, array in unmapped memory", poll((struct pollfd *)16, 1, 0));
    leave_tmpdir();
    return 0;
}
