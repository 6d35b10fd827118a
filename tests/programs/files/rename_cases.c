/* I2, issue 5 (rename): rename moves a name, keeping the file (an fd opened
   before reads on); over an existing file it replaces it in one step (an fd
   on the replaced file still reads the old contents); a directory moves with
   everything below it, and may replace an empty directory but not a
   non-empty one (ENOTEMPTY); a file over a directory is EISDIR, a directory
   over a file ENOTDIR; a directory into its own subtree EINVAL; a name onto
   itself succeeds and changes nothing; a missing source or target directory
   is ENOENT; a symlink is renamed, not its target. Within one filesystem
   there is no EXDEV. renameat resolves from its dirfds; renameat2 with
   RENAME_NOREPLACE refuses an existing target (EEXIST). */
#include <sys/syscall.h>
#include "files_util.h"

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE 1
#endif

static void show_file(const char *name)
{
    char buf[64];
    if (get_file(name, buf, sizeof buf) < 0)
        printf("  %s: %s\n", name, ename(errno));
    else
        printf("  %s: \"%s\"\n", name, buf);
}

int main(void)
{
    enter_tmpdir();
    char buf[64] = {0};
    put_file("a", "file a");
    int fa = open("a", O_RDONLY);
    SHOW("rename a -> b", rename("a", "b"));
    show_file("a");
    show_file("b");
    read(fa, buf, sizeof buf - 1);
    printf("  the fd opened as a reads \"%s\"\n", buf);

    put_file("c", "file c");
    int fc = open("c", O_RDONLY);
    SHOW("rename b over the existing c", rename("b", "c"));
    show_file("b");
    show_file("c");
    memset(buf, 0, sizeof buf);
    read(fc, buf, sizeof buf - 1);
    printf("  the fd on the replaced c still reads \"%s\"\n", buf);

    mkdir("d", 0755);
    mkdir("d/sub", 0755);
    put_file("d/sub/deep", "deep");
    SHOW("rename directory d -> e", rename("d", "e"));
    show_file("e/sub/deep");
    mkdir("empty", 0755);
    SHOW("rename e over an empty directory", rename("e", "empty"));
    show_file("empty/sub/deep");
    mkdir("full", 0755);
    put_file("full/x", "x");
    SHOW("rename a directory over a non-empty one", rename("empty", "full"));
    SHOW("rename a file over a directory", rename("c", "full"));
    SHOW("rename a directory over a file", rename("full", "c"));
    SHOW("rename a directory into its own subdirectory", rename("empty", "empty/sub/inside"));
    SHOW("rename c onto itself", rename("c", "c"));
    show_file("c");
    SHOW("rename of a missing name", rename("missing", "x"));
    SHOW("rename into a missing directory", rename("c", "missing/x"));

    symlink("c", "link");
    SHOW("rename a symlink", rename("link", "link2"));
    char target[64] = {0};
    readlink("link2", target, sizeof target - 1);
    printf("  link2 -> %s, c still there %d\n", target, access("c", F_OK) == 0);

    mkdir("x", 0755);
    mkdir("y", 0755);
    int dx = open("x", O_RDONLY | O_DIRECTORY), dy = open("y", O_RDONLY | O_DIRECTORY);
    put_file("x/f", "moved");
    SHOW("renameat(x, \"f\", y, \"g\")", syscall(SYS_renameat, dx, "f", dy, "g"));
    show_file("y/g");
    put_file("x/h", "h");
    SHOW("renameat2 NOREPLACE over an existing name", syscall(SYS_renameat2, dy, "g", dx, "h", RENAME_NOREPLACE));
    SHOW("renameat2 NOREPLACE to a new name", syscall(SYS_renameat2, dy, "g", dx, "i", RENAME_NOREPLACE));
    show_file("x/i");
    leave_tmpdir();
    return 0;
}
