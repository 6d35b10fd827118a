/* I2, issue 5 (openat with the usual flags and errors), as root: O_CREAT makes a
   file, O_CREAT|O_EXCL on an existing name (a file, a directory, even a
   dangling symlink) is EEXIST; O_CREAT through a dangling symlink without
   O_EXCL creates its target; a missing file or directory component is ENOENT,
   a file used as a directory ENOTDIR, O_DIRECTORY on a file ENOTDIR; opening
   a directory for writing (or O_CREAT on it) is EISDIR, while O_RDONLY and
   O_DIRECTORY open it, and read on it is EISDIR; O_TRUNC empties a file;
   O_NOFOLLOW on a symlink is ELOOP; an empty path is ENOENT, a component over
   255 bytes ENAMETOOLONG. openat resolves relative paths from its dirfd (a
   file as dirfd is ENOTDIR, a closed one EBADF) and ignores it for absolute
   paths. F_GETFL shows the access mode (and O_LARGEFILE, which the kernel
   adds on 64-bit). */
#include <sys/syscall.h>
#include "files_util.h"

int main(void)
{
    enter_tmpdir();
    char buf[64];
    mkdir("d", 0755);
    put_file("d/inner", "inner");
    put_file("f", "0123456789");
    symlink("missing-target", "dangling");
    symlink("f", "link");

    SHOW_OK("O_CREAT of a new file", open("new", O_WRONLY | O_CREAT, 0644));
    SHOW("O_CREAT|O_EXCL on an existing file", open("f", O_WRONLY | O_CREAT | O_EXCL, 0644));
    SHOW("O_CREAT|O_EXCL on a directory", open("d", O_RDONLY | O_CREAT | O_EXCL, 0644));
    SHOW("O_CREAT|O_EXCL on a dangling symlink", open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0644));
    SHOW_OK("O_CREAT through the dangling symlink", open("dangling", O_WRONLY | O_CREAT, 0644));
    printf("  it created its target: %d\n", access("missing-target", F_OK) == 0);

    SHOW("missing file", open("nope", O_RDONLY));
    SHOW("missing directory component", open("nodir/f", O_RDONLY));
    SHOW("file as a directory", open("f/x", O_RDONLY));
    SHOW("O_CREAT under a file", open("f/x", O_WRONLY | O_CREAT, 0644));
    SHOW("O_DIRECTORY on a file", open("f", O_RDONLY | O_DIRECTORY));
    SHOW("trailing slash on a file", open("f/", O_RDONLY));
    SHOW("O_WRONLY on a directory", open("d", O_WRONLY));
    SHOW("O_RDWR on a directory", open("d", O_RDWR));
    SHOW("O_CREAT on a directory", open("d", O_WRONLY | O_CREAT, 0644));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    SHOW_OK("O_RDONLY|O_DIRECTORY on a directory", dfd);
    SHOW("read of a directory fd", read(dfd, buf, sizeof buf));
    SHOW("O_NOFOLLOW on a symlink", open("link", O_RDONLY | O_NOFOLLOW));
    SHOW_OK("O_NOFOLLOW on a file", open("f", O_RDONLY | O_NOFOLLOW));
    SHOW("empty path", open("", O_RDONLY));
    char longname[300];
    memset(longname, 'n', 256);
    longname[256] = 0;
    SHOW("a 256-byte name", open(longname, O_RDONLY | O_CREAT, 0644));

    int t = open("f", O_RDWR | O_TRUNC);
    struct stat sb;
    fstat(t, &sb);
    printf("O_TRUNC: size %ld\n", (long)sb.st_size);
    write(t, "abc", 3);
    SHOW("O_WRONLY F_GETFL", fcntl(open("f", O_WRONLY), F_GETFL));
    SHOW("O_RDWR F_GETFL", fcntl(t, F_GETFL));
    SHOW("O_RDONLY F_GETFL", fcntl(open("f", O_RDONLY), F_GETFL));

    /* openat (raw, to be sure the syscall itself is used) */
    int fd = (int)syscall(SYS_openat, dfd, "inner", O_RDONLY);
    memset(buf, 0, sizeof buf);
    read(fd, buf, sizeof buf - 1);
    printf("openat(dirfd of d, \"inner\"): \"%s\"\n", buf);
    SHOW("openat(dirfd, \"../f\")", syscall(SYS_openat, dfd, "../f", O_RDONLY) >= 0);
    SHOW("openat(AT_FDCWD, \"d/inner\")", syscall(SYS_openat, AT_FDCWD, "d/inner", O_RDONLY) >= 0);
    SHOW("openat with a file as dirfd", syscall(SYS_openat, t, "x", O_RDONLY));
    SHOW("openat with a closed dirfd", syscall(SYS_openat, 99, "x", O_RDONLY));
    SHOW("openat with a closed dirfd, absolute path", syscall(SYS_openat, 99, "/", O_RDONLY) >= 0);
    SHOW_OK("openat O_CREAT relative to dirfd", syscall(SYS_openat, dfd, "made", O_WRONLY | O_CREAT, 0644));
    printf("  d/made exists: %d\n", access("d/made", F_OK) == 0);
    leave_tmpdir();
    return 0;
}
