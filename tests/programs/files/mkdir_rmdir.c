/* I2, issue 5 (mkdir, rmdir, unlink on directories): mkdir makes an empty
   directory (a trailing slash is fine); an existing name, directory or file
   or symlink, is EEXIST; a missing parent ENOENT; a file as parent ENOTDIR;
   mkdirat resolves from its dirfd. rmdir of a non-empty directory is
   ENOTEMPTY, of a file ENOTDIR, of "." EINVAL, of ".." ENOTEMPTY, of a
   missing name ENOENT, of a symlink to a directory ENOTDIR; unlink of a
   directory is EISDIR; unlinkat(AT_REMOVEDIR) is rmdir. A removed directory
   is gone (stat ENOENT) and its name can be made again. */
#include <sys/syscall.h>
#include "files_util.h"

int main(void)
{
    enter_tmpdir();
    put_file("file", "x");
    SHOW("mkdir d", mkdir("d", 0755));
    SHOW("mkdir d/sub/ (trailing slash)", mkdir("d/sub/", 0755));
    SHOW("mkdir d again", mkdir("d", 0755));
    SHOW("mkdir over a file", mkdir("file", 0755));
    symlink("d", "dlink");
    symlink("nowhere", "dangling");
    SHOW("mkdir over a symlink", mkdir("dlink", 0755));
    SHOW("mkdir over a dangling symlink", mkdir("dangling", 0755));
    SHOW("mkdir with a missing parent", mkdir("missing/x", 0755));
    SHOW("mkdir under a file", mkdir("file/x", 0755));
    int dfd = open("d", O_RDONLY | O_DIRECTORY);
    SHOW("mkdirat(dirfd of d, \"at\")", syscall(SYS_mkdirat, dfd, "at", 0755));
    struct stat sb;
    printf("  d/at is a directory: %d\n", stat("d/at", &sb) == 0 && S_ISDIR(sb.st_mode));

    SHOW("rmdir of a non-empty directory", rmdir("d"));
    SHOW("rmdir of a file", rmdir("file"));
    SHOW("rmdir of a symlink to a directory", rmdir("dlink"));
    SHOW("rmdir of a missing name", rmdir("missing"));
    SHOW("rmdir d/sub/.", rmdir("d/sub/."));
    SHOW("rmdir d/sub/..", rmdir("d/sub/.."));
    SHOW("unlink of a directory", unlink("d/sub"));
    SHOW("rmdir d/sub", rmdir("d/sub"));
    printf("  stat d/sub: %s\n", stat("d/sub", &sb) == 0 ? "exists" : ename(errno));
    SHOW("unlinkat(dirfd, \"at\", AT_REMOVEDIR)", syscall(SYS_unlinkat, dfd, "at", AT_REMOVEDIR));
    SHOW("unlinkat(dirfd, \"x\", bad flag)", syscall(SYS_unlinkat, dfd, "x", 0x1));
    SHOW("rmdir d, now empty", rmdir("d"));
    SHOW("mkdir d again", mkdir("d", 0755));
    SHOW("rmdir d/ (trailing slash)", rmdir("d/"));
    leave_tmpdir();
    return 0;
}
