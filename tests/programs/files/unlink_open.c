/* I2, issue 5 (unlink): unlink removes a name, not the file: through an fd
   opened before, the file can still be read, written and fstat'ed (nlink
   0), also by a forked child that inherited the fd, while the name is gone
   (stat ENOENT) and a new file made under the same name is a different,
   empty one. unlink of a symlink removes the link and leaves its target.
   unlink of a missing name is ENOENT, through a file ENOTDIR, with a
   trailing slash on a file ENOTDIR; unlinkat resolves from its dirfd. */
#include <sys/syscall.h>
#include "files_util.h"

int main(void)
{
    enter_tmpdir();
    put_file("f", "original");
    int fd = open("f", O_RDWR);
    SHOW("unlink f while open", unlink("f"));
    struct stat sb;
    printf("  stat f: %s\n", stat("f", &sb) == 0 ? "exists" : ename(errno));
    fstat(fd, &sb);
    printf("  fstat through the fd: size %ld nlink %ld\n", (long)sb.st_size, (long)sb.st_nlink);
    char buf[64] = {0};
    pread(fd, buf, sizeof buf - 1, 0);
    printf("  still readable: \"%s\"\n", buf);
    pwrite(fd, "ORIG", 4, 0);
    memset(buf, 0, sizeof buf);
    pread(fd, buf, sizeof buf - 1, 0);
    printf("  and writable: \"%s\"\n", buf);

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        char b[16] = {0};
        _exit(pread(fd, b, 4, 0) == 4 && memcmp(b, "ORIG", 4) == 0 ? 0 : 1);
    }
    printf("  a child reads it through the inherited fd: %s\n", reap(pid));

    put_file("f", "new");
    fstat(fd, &sb);
    struct stat nb;
    stat("f", &nb);
    printf("a new f is another file: %d, size %ld; the old one still %ld bytes\n", sb.st_ino != nb.st_ino,
           (long)nb.st_size, (long)sb.st_size);
    close(fd);

    symlink("f", "link");
    SHOW("unlink of the symlink", unlink("link"));
    printf("  target still there: %d, link gone: %d\n", access("f", F_OK) == 0, lstat("link", &sb) != 0);
    SHOW("unlink of a missing name", unlink("missing"));
    SHOW("unlink through a file", unlink("f/x"));
    SHOW("unlink f/ (trailing slash)", unlink("f/"));
    mkdir("d", 0755);
    put_file("d/inner", "x");
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    SHOW("unlinkat(dirfd of d, \"inner\", 0)", syscall(SYS_unlinkat, dfd, "inner", 0));
    printf("  d/inner gone: %d\n", access("d/inner", F_OK) != 0);
    SHOW("unlink f", unlink("f"));
    leave_tmpdir();
    return 0;
}
