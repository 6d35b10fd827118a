/* F5, issue 5 (open/mkdir modes): umask returns the previous mask and keeps
   only 0777; a file (open O_CREAT, openat) or directory (mkdir) is created
   with mode & ~umask, the set-id and sticky bits passing through; O_CREAT on
   an existing file keeps its mode; chmod and fchmod are not masked; a forked
   child inherits the umask and its changes stay its own. Modes print in
   octal with the file type. */
#include <sys/syscall.h>
#include "files_util.h"

static void mode_of(const char *label, const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0)
        printf("%s: stat %s\n", label, ename(errno));
    else
        printf("%s: %s %04o\n", label, S_ISDIR(sb.st_mode) ? "dir" : S_ISREG(sb.st_mode) ? "file" : "other",
               (unsigned)(sb.st_mode & 07777));
}

int main(void)
{
    enter_tmpdir();
    umask(022);                 /* the inherited mask is the host's business */
    printf("umask(0777777) returned %03o\n", (unsigned)umask(0777777));
    printf("then umask(027) returned %03o\n", (unsigned)umask(027));

    close(open("f666", O_WRONLY | O_CREAT, 0666));
    mode_of("open 0666 under 027", "f666");
    close(open("f4755", O_WRONLY | O_CREAT, 04755));
    mode_of("open 04755 under 027", "f4755");
    close((int)syscall(SYS_openat, AT_FDCWD, "fat", O_WRONLY | O_CREAT, 0777));
    mode_of("openat 0777 under 027", "fat");
    mkdir("d777", 0777);
    mode_of("mkdir 0777 under 027", "d777");
    mkdir("d1777", 01777);
    mode_of("mkdir 01777 under 027", "d1777");

    umask(0);
    close(open("f666", O_WRONLY | O_CREAT, 0600));
    mode_of("O_CREAT 0600 on the existing file", "f666");
    close(open("zero", O_WRONLY | O_CREAT, 0666));
    mode_of("open 0666 under 000", "zero");
    umask(077);
    chmod("zero", 0777);
    mode_of("chmod 0777 under 077", "zero");
    int fd = open("zero", O_RDONLY);
    fchmod(fd, 0640);
    mode_of("fchmod 0640", "zero");

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int inherited = umask(0);
        close(open("child", O_WRONLY | O_CREAT, 0666));
        _exit(inherited);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("the child inherited umask %03o\n", WEXITSTATUS(st));
    mode_of("its file, created under its umask 000", "child");
    printf("the parent's umask is still %03o\n", (unsigned)umask(022));
    leave_tmpdir();
    return 0;
}
