/* I1, /proc/PID/fd/N and /dev/fd, /dev/stdin, /dev/stdout as magic links:
   following one does not resolve its text ("pipe:[...]", a path) but opens
   the open file's own inode again, with the new open's flags. A pipe's read
   end opened so is a second reader of the same pipe (the writer gets EPIPE
   only when both are closed), its write end a second writer (EOF only when
   both are closed). A regular file opened so is a new open file description
   with its own offset, even once the file has no name left, or when the fd
   was opened O_PATH. A directory fd leads on into the directory. readlink
   still shows the text. A closed fd, or an fd of a zombie, is ENOENT; a
   file's fd followed by "/" is ENOTDIR. /dev/stdin and /dev/stdout are fd 0
   and fd 1 opened again, whatever they are. linkat(AT_SYMLINK_FOLLOW) through
   such a link gives the file a new name, but not once it has lost its last
   one (ENOENT), and not to a pipe (another filesystem: EXDEV). */
#include <signal.h>
#include "files_util.h"

static char path[64];

static const char *fdpath(int fd)
{
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    return path;
}

int main(void)
{
    enter_tmpdir();
    char buf[64] = {0};
    signal(SIGPIPE, SIG_IGN);

    /* a pipe's ends, opened again */
    int p[2];
    pipe(p);
    int r2 = open(fdpath(p[0]), O_RDONLY);
    SHOW_OK("open /proc/self/fd/<read end>", r2);
    struct stat a, b;
    fstat(p[0], &a);
    fstat(r2, &b);
    printf("same pipe inode: %d, a fifo: %d\n", a.st_ino == b.st_ino, S_ISFIFO(b.st_mode));
    SHOW("readlink starts with pipe:[", (readlink(fdpath(r2), buf, sizeof buf - 1) > 0) ? strncmp(buf, "pipe:[", 6) == 0 : -1);
    write(p[1], "ab", 2);
    SHOW("read 1 from the new reader", read(r2, buf, 1));
    SHOW("read 1 from the old one", read(p[0], buf, 1));
    close(p[0]);
    SHOW("old reader closed, write", write(p[1], "c", 1));
    close(r2);
    SHOW("both readers closed, write", write(p[1], "c", 1));
    SHOW("linkat a pipe", linkat(AT_FDCWD, fdpath(p[1]), AT_FDCWD, "pipe_name", AT_SYMLINK_FOLLOW));
    close(p[1]);

    pipe(p);
    int w2 = open(fdpath(p[0]), O_WRONLY);
    SHOW_OK("open the read end's link for writing", w2);
    close(p[1]);
    SHOW("write through it", write(w2, "xyz", 3));
    SHOW("read", read(p[0], buf, sizeof buf));
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    SHOW("first writer closed, the second open: no EOF", read(p[0], buf, sizeof buf));
    close(w2);
    SHOW("both closed: EOF", read(p[0], buf, sizeof buf));
    close(p[0]);

    /* /dev/stdin: fd 0 opened again (here a pipe) */
    pipe(p);
    int saved = dup(0);
    dup2(p[0], 0);
    write(p[1], "to stdin", 8);
    int in = open("/dev/stdin", O_RDONLY);
    memset(buf, 0, sizeof buf);
    SHOW("read /dev/stdin", read(in, buf, sizeof buf - 1));
    printf("  got \"%s\"\n", buf);
    close(in);
    dup2(saved, 0);
    close(saved);
    close(p[0]);
    close(p[1]);

    /* /dev/stdout: fd 1 opened again */
    fflush(stdout);
    int out = open("/dev/stdout", O_WRONLY);
    SHOW_OK("open /dev/stdout", out);
    write(out, "  written through /dev/stdout\n", 30);
    close(out);

    /* a regular file: its own offset */
    put_file("file", "0123456789");
    int fd = open("file", O_RDONLY);
    read(fd, buf, 4);
    int fd2 = open(fdpath(fd), O_RDONLY);
    SHOW("new offset", lseek(fd2, 0, SEEK_CUR));
    memset(buf, 0, sizeof buf);
    read(fd2, buf, 3);
    printf("read 3 from the reopened file: \"%s\"\n", buf);
    SHOW("old offset", lseek(fd, 0, SEEK_CUR));
    char want[128], got[128] = {0};
    snprintf(want, sizeof want, "%s/file", tmpdir_path);
    readlink(fdpath(fd), got, sizeof got - 1);
    printf("readlink names the file: %d\n", strcmp(got, want) == 0);
    int wr = open(fdpath(fd), O_WRONLY | O_APPEND);
    SHOW_OK("open the read-only fd's link for appending", wr);
    write(wr, "ab", 2);
    SHOW("size seen through the first fd", lseek(fd, 0, SEEK_END));
    close(wr);
    close(fd2);
    SHOW("linkat the file's link", linkat(AT_FDCWD, fdpath(fd), AT_FDCWD, "file2", AT_SYMLINK_FOLLOW));
    struct stat st;
    stat("file2", &st);
    printf("  file2 is the file: links %ld, size %ld\n", (long)st.st_nlink, (long)st.st_size);
    SHOW("unlink file2", unlink("file2"));
    SHOW("unlink file", unlink("file"));
    SHOW("linkat it once nameless", linkat(AT_FDCWD, fdpath(fd), AT_FDCWD, "file3", AT_SYMLINK_FOLLOW));
    fd2 = open(fdpath(fd), O_RDONLY);
    memset(buf, 0, sizeof buf);
    read(fd2, buf, sizeof buf - 1);
    printf("reopened after unlink: \"%s\"\n", buf);
    close(fd2);
    SHOW("a file's fd followed by /", open(strcat(strcpy(want, fdpath(fd)), "/"), O_RDONLY));
    close(fd);
    SHOW("the link of a closed fd", open(fdpath(fd), O_RDONLY));
    SHOW("/dev/fd of a closed fd", open("/dev/fd/99", O_RDONLY));

    /* an O_PATH fd, and a directory fd */
    put_file("other", "other text");
    fd = open("other", O_PATH);
    fd2 = open(fdpath(fd), O_RDONLY);
    memset(buf, 0, sizeof buf);
    SHOW("read the O_PATH fd's file", read(fd2, buf, sizeof buf - 1));
    close(fd2);
    close(fd);
    mkdir("sub", 0755);
    put_file("sub/inner", "inner text");
    int dfd = open("sub", O_RDONLY | O_DIRECTORY);
    snprintf(want, sizeof want, "/dev/fd/%d/inner", dfd);
    memset(buf, 0, sizeof buf);
    SHOW("read /dev/fd/<dir>/inner", get_file(want, buf, sizeof buf));
    close(dfd);

    /* a zombie has no files */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0)
        _exit(0);
    siginfo_t si;
    waitid(P_PID, pid, &si, WEXITED | WNOWAIT);
    snprintf(want, sizeof want, "/proc/%d/fd/0", (int)pid);
    SHOW("a zombie's fd 0", open(want, O_RDONLY));
    printf("child: %s\n", reap(pid));
    leave_tmpdir();
    return 0;
}
