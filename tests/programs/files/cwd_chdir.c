/* I2, issue 5 (getcwd, chdir, fchdir), F5: getcwd gives the absolute path of the
   cwd (printed relative to the test directory, whose name is random);
   chdir to a subdirectory, "..", through a symlink (getcwd shows the real
   path), fchdir to an open directory; relative opens start from the new cwd;
   chdir to a file is ENOTDIR, to a missing name ENOENT, fchdir of a file
   ENOTDIR; getcwd with a buffer too small is ERANGE. "/.." is "/". A forked
   child starts in its parent's cwd and its chdir is its own. Once the cwd is
   removed, getcwd is ENOENT, "." still opens, and creating a file in it is
   ENOENT. */
#include <sys/syscall.h>
#include "files_util.h"

static char base[4096];

static void where(const char *label)
{
    char buf[4096];
    errno = 0;
    if (syscall(SYS_getcwd, buf, sizeof buf) < 0)
        printf("%s: getcwd %s\n", label, ename(errno));
    else if (strncmp(buf, base, strlen(base)) == 0)
        printf("%s: <test dir>%s\n", label, buf + strlen(base));
    else
        printf("%s: %s\n", label, buf);
}

int main(void)
{
    enter_tmpdir();
    getcwd(base, sizeof base);
    mkdir("a", 0755);
    mkdir("a/b", 0755);
    put_file("a/b/file", "in b");
    symlink("a/b", "shortcut");

    where("start");
    SHOW("chdir a/b", chdir("a/b"));
    where("  cwd");
    char buf[64];
    get_file("file", buf, sizeof buf);
    printf("  relative open of \"file\": \"%s\"\n", buf);
    SHOW("chdir ..", chdir(".."));
    where("  cwd");
    SHOW("chdir ../shortcut", chdir("../shortcut"));
    where("  cwd");
    SHOW("chdir to a file", chdir("file"));
    SHOW("chdir to a missing name", chdir("missing"));
    SHOW("chdir through a file", chdir("file/x"));
    where("  cwd unchanged");

    int top = open(base, O_RDONLY | O_DIRECTORY);
    SHOW("fchdir to the test dir", fchdir(top));
    where("  cwd");
    SHOW("fchdir to a file", fchdir(open("a/b/file", O_RDONLY)));
    SHOW("fchdir of a closed fd", fchdir(99));
    SHOW("getcwd with a 2-byte buffer", syscall(SYS_getcwd, buf, 2));

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        where("child starts in");
        chdir("a");
        where("child after chdir a");
        fflush(stdout);
        _exit(0);
    }
    reap(pid);
    where("parent after the child's chdir");

    chdir("/");
    chdir("..");
    where("chdir / then ..");

    fchdir(top);
    mkdir("doomed", 0755);
    chdir("doomed");
    SHOW("rmdir of the cwd, as ../doomed", rmdir("../doomed"));
    where("getcwd in a removed directory");
    int dot = open(".", O_RDONLY | O_DIRECTORY);
    SHOW_OK("open(\".\") there", dot);
    SHOW("creating a file there", open("new", O_WRONLY | O_CREAT, 0644));
    SHOW("chdir .. back out", chdir(".."));
    where("  cwd");
    leave_tmpdir();
    return 0;
}
