/* I2, issue 5 (symlink, readlink): readlink returns the target as stored (no
   NUL, its length as the result), truncated to the buffer; on a file it is
   EINVAL, on a missing name ENOENT; readlinkat resolves from its dirfd. A
   relative target is resolved from the link's own directory, an absolute
   one from the root; chains are followed; a loop is ELOOP; a dangling link
   is ENOENT for open and stat but lstat sees it; symlink over an existing
   name is EEXIST; "link/" through a link to a directory is the directory,
   chdir through it works, and ".." there is the target's parent, not the
   link's. */
#include <sys/syscall.h>
#include "files_util.h"

static void rl(const char *label, const char *path, size_t size)
{
    char buf[128];
    memset(buf, '#', sizeof buf);
    errno = 0;
    long n = readlink(path, buf, size);
    if (n < 0)
        printf("%s: %s\n", label, ename(errno));
    else
        printf("%s: %ld \"%.*s\", byte after it untouched %d\n", label, n, (int)n, buf, buf[n] == '#');
}

int main(void)
{
    enter_tmpdir();
    char base[4096], abs_target[4200], buf[64];
    getcwd(base, sizeof base);
    mkdir("dir", 0755);
    mkdir("other", 0755);
    put_file("dir/file", "in dir");
    put_file("top", "at the top");

    SHOW("symlink dir/file <- rel", symlink("dir/file", "rel"));
    SHOW("symlink file <- dir/sibling (relative to dir)", symlink("file", "dir/sibling"));
    snprintf(abs_target, sizeof abs_target, "%s/top", base);
    SHOW("symlink <abs>/top <- abs", symlink(abs_target, "abs"));
    SHOW("symlink rel <- chain", symlink("rel", "chain"));
    SHOW("symlink loop2 <- loop1", symlink("loop2", "loop1"));
    SHOW("symlink loop1 <- loop2", symlink("loop1", "loop2"));
    SHOW("symlink missing <- dangling", symlink("missing", "dangling"));
    SHOW("symlink ../dir <- other/dlink", symlink("../dir", "other/dlink"));
    SHOW("symlink over an existing name", symlink("x", "top"));
    SHOW("symlink in a missing directory", symlink("x", "missing/x"));

    rl("readlink rel", "rel", 64);
    rl("readlink rel into 3 bytes", "rel", 3);
    rl("readlink dir/sibling", "dir/sibling", 64);
    char got[4200] = {0};
    long n = readlink("abs", got, sizeof got - 1);
    printf("readlink abs: the absolute target %d\n", n == (long)strlen(abs_target) && !strcmp(got, abs_target));
    rl("readlink of a file", "top", 64);
    rl("readlink of a missing name", "nope", 64);
    rl("readlink of a directory", "dir", 64);
    int dfd = open("dir", O_RDONLY | O_DIRECTORY);
    memset(buf, 0, sizeof buf);
    SHOW("readlinkat(dirfd of dir, \"sibling\")", syscall(SYS_readlinkat, dfd, "sibling", buf, sizeof buf));
    printf("  \"%s\"\n", buf);
    SHOW("symlinkat(\"file\", dirfd of dir, \"at\")", syscall(SYS_symlinkat, "file", dfd, "at"));
    get_file("dir/at", buf, sizeof buf);
    printf("  dir/at reads \"%s\"\n", buf);

    get_file("rel", buf, sizeof buf);
    printf("through rel: \"%s\"\n", buf);
    get_file("dir/sibling", buf, sizeof buf);
    printf("through dir/sibling: \"%s\"\n", buf);
    get_file("abs", buf, sizeof buf);
    printf("through abs: \"%s\"\n", buf);
    get_file("chain", buf, sizeof buf);
    printf("through chain -> rel -> dir/file: \"%s\"\n", buf);
    SHOW("open of a loop", open("loop1", O_RDONLY));
    SHOW("open of a dangling link", open("dangling", O_RDONLY));
    struct stat sb;
    SHOW("stat of a dangling link", stat("dangling", &sb));
    SHOW("lstat of a dangling link", lstat("dangling", &sb));
    get_file("other/dlink/file", buf, sizeof buf);
    printf("through other/dlink/file: \"%s\"\n", buf);
    SHOW("stat other/dlink/ (trailing slash)", stat("other/dlink/", &sb) == 0 && S_ISDIR(sb.st_mode));
    SHOW("chdir other/dlink", chdir("other/dlink"));
    get_file("../top", buf, sizeof buf);
    printf("  ../top from there (.. is dir's parent, not other): \"%s\"\n", buf);
    leave_tmpdir();
    return 0;
}
