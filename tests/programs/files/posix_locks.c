/* fcntl record locks (POSIX locks owned by the process, OFD locks owned by
   the open file description) between a parent and a child sequenced by
   pipes: bad requests, merged and split ranges, F_GETLK naming the holder's
   type, range and pid, no conflict with oneself, no inheritance by fork,
   EAGAIN, a blocked F_SETLKW woken by the unlock, EDEADLK, EINTR, release on
   the close of any fd of the file and at exit, OFD locks of two opens. */
#include "files_util.h"
#include <signal.h>
#include <sys/time.h>

static pid_t parent_pid, child_pid;
static int to_child[2], to_parent[2];

static int lk(int fd, int cmd, int type, int whence, long start, long len)
{
    struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };
    return fcntl(fd, cmd, &fl);
}

static void lock_show(const char *label, int fd, int cmd, int type, long start, long len)
{
    errno = 0;
    int r = lk(fd, cmd, type, SEEK_SET, start, len);
    printf("%s: %s\n", label, r < 0 ? (errno == EDEADLK ? "EDEADLK" : ename(errno)) : "0");
}

static void getlk(const char *label, int fd, int cmd, int type, long start, long len)
{
    struct flock fl = { .l_type = type, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
    if (fcntl(fd, cmd, &fl) < 0) {
        printf("%s: -1 %s\n", label, ename(errno));
        return;
    }
    if (fl.l_type == F_UNLCK) {
        printf("%s: unlocked\n", label);
        return;
    }
    printf("%s: %s from %ld len %ld by %s\n", label, fl.l_type == F_RDLCK ? "read" : "write",
           (long)fl.l_start, (long)fl.l_len,
           fl.l_pid == parent_pid ? "parent" : fl.l_pid == child_pid ? "child"
           : fl.l_pid == -1 ? "-1" : "someone else");
}

static void say(int *p, char c) { write(p[1], &c, 1); }
static void hear(int *p) { char c; read(p[0], &c, 1); }
static void on_alarm(int sig) { (void)sig; }

static void child(int fd)
{
    child_pid = getpid();
    getlk("child GETLK W all", fd, F_GETLK, F_WRLCK, 0, 0);
    getlk("child GETLK R 20..29", fd, F_GETLK, F_RDLCK, 20, 10);
    getlk("child GETLK W 16..25", fd, F_GETLK, F_WRLCK, 16, 10);
    getlk("child GETLK W 30..", fd, F_GETLK, F_WRLCK, 30, 0);
    getlk("child GETLK W 50..", fd, F_GETLK, F_WRLCK, 50, 0);
    getlk("child GETLK W 64..69", fd, F_GETLK, F_WRLCK, 64, 6);
    getlk("child GETLK W 72..", fd, F_GETLK, F_WRLCK, 72, 0);
    getlk("child GETLK W 95..199", fd, F_GETLK, F_WRLCK, 95, 105);
    getlk("child GETLK W 250..", fd, F_GETLK, F_WRLCK, 250, 0);
    lock_show("child SETLK W 10", fd, F_SETLK, F_WRLCK, 10, 1);
    lock_show("child SETLK R 20..29", fd, F_SETLK, F_RDLCK, 20, 10);
    lock_show("child SETLK W 200", fd, F_SETLK, F_WRLCK, 200, 1);
    lock_show("child SETLK R 150..159", fd, F_SETLK, F_RDLCK, 150, 10);
    say(to_parent, '1');
    hear(to_child);
    printf("child SETLKW W 10 waits\n");
    say(to_parent, '2');
    lock_show("child SETLKW W 10", fd, F_SETLKW, F_WRLCK, 10, 1);
    say(to_parent, '3');
    hear(to_child);
    lock_show("child SETLK W all", fd, F_SETLK, F_WRLCK, 0, 0);
    say(to_parent, '4');
    hear(to_child);
    _exit(0);   /* without unlocking */
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    enter_tmpdir();
    parent_pid = getpid();
    int fd = open("f", O_CREAT | O_RDWR, 0600);
    char buf[100] = { 0 };
    write(fd, buf, sizeof buf);
    int rd = open("f", O_RDONLY), wr = open("f", O_WRONLY);

    SHOW("bad type", lk(fd, F_SETLK, 7, SEEK_SET, 0, 1));
    SHOW("bad whence", lk(fd, F_SETLK, F_RDLCK, 5, 0, 1));
    SHOW("negative start", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, -1, 1));
    SHOW("length before 0", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, -10));
    SHOW("W on O_RDONLY", lk(rd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
    SHOW("R on O_WRONLY", lk(wr, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
    SHOW("GETLK W on O_RDONLY", lk(rd, F_GETLK, F_WRLCK, SEEK_SET, 0, 1));
    SHOW("GETLK F_UNLCK", lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1));
    SHOW("closed fd", lk(99, F_SETLK, F_RDLCK, SEEK_SET, 0, 1));
    struct flock withpid = { .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 1, .l_pid = 1 };
    SHOW("OFD with l_pid", fcntl(fd, F_OFD_SETLK, &withpid));
    close(wr);

    SHOW("W 10..19", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10));
    SHOW("R 20..29", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
    SHOW("W 30..39", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 30, 10));
    SHOW("W 40..49 (merges)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 40, 10));
    SHOW("UN 14..15 (splits)", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 14, 2));
    SHOW("R 60 len -5", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 60, -5));
    lseek(fd, 68, SEEK_SET);
    SHOW("R CUR+0 len 2", lk(fd, F_SETLK, F_RDLCK, SEEK_CUR, 0, 2));
    SHOW("R END-10 len 5", lk(fd, F_SETLK, F_RDLCK, SEEK_END, -10, 5));
    SHOW("R END+50 len 10", lk(fd, F_SETLK, F_RDLCK, SEEK_END, 50, 10));
    SHOW("R END+200 to EOF", lk(fd, F_SETLK, F_RDLCK, SEEK_END, 200, 0));
    getlk("own GETLK W all", fd, F_GETLK, F_WRLCK, 0, 0);

    pipe(to_child);
    pipe(to_parent);
    pid_t pid = fork();
    if (pid == 0)
        child(fd);
    child_pid = pid;
    hear(to_parent);
    lock_show("parent SETLK W 200", fd, F_SETLK, F_WRLCK, 200, 1);
    getlk("parent GETLK R 96..", fd, F_GETLK, F_RDLCK, 96, 0);
    say(to_child, 'a');
    hear(to_parent);
    usleep(100000);
    lock_show("parent SETLKW W 200", fd, F_SETLKW, F_WRLCK, 200, 1);
    printf("parent unlocks 10..13\n");
    lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 10, 4);
    hear(to_parent);
    getlk("parent GETLK W 0..12", fd, F_GETLK, F_WRLCK, 0, 13);
    close(rd);   /* another fd of the file: all the parent's locks go */
    say(to_child, 'b');
    hear(to_parent);
    getlk("parent GETLK W 5", fd, F_GETLK, F_WRLCK, 5, 1);
    struct sigaction sa = { .sa_handler = on_alarm };
    sigaction(SIGALRM, &sa, NULL);
    struct itimerval it = { .it_value = { .tv_usec = 50000 } };
    setitimer(ITIMER_REAL, &it, NULL);
    lock_show("parent SETLKW R 5, alarm", fd, F_SETLKW, F_RDLCK, 5, 1);
    say(to_child, 'c');
    int st;
    waitpid(pid, &st, 0);
    printf("child status %d\n", WEXITSTATUS(st));
    getlk("after the exit", fd, F_GETLK, F_WRLCK, 0, 0);

    int a = open("f", O_RDWR), b = open("f", O_RDWR);
    SHOW("OFD W 0..10 on a", lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 11));
    SHOW("OFD R 5 on b", lk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1));
    getlk("OFD GETLK on b", b, F_OFD_GETLK, F_WRLCK, 0, 0);
    getlk("OFD GETLK on a", a, F_OFD_GETLK, F_WRLCK, 0, 0);
    SHOW("POSIX W 3 on fd", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 3, 1));
    getlk("POSIX GETLK on fd", fd, F_GETLK, F_RDLCK, 0, 0);
    SHOW("POSIX R 50 on fd", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 50, 1));
    SHOW("OFD W 50 on a", lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 50, 1));
    int d = dup(a);
    close(d);   /* not the last reference: the OFD lock stays */
    SHOW("OFD R 5 on b after close(dup)", lk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1));
    close(a);
    SHOW("OFD R 5 on b after close(a)", lk(b, F_OFD_SETLK, F_RDLCK, SEEK_SET, 5, 1));
    close(b);
    close(fd);
    leave_tmpdir();
    return 0;
}
