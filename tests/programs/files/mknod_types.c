/* I2, mknod (fs/namei.c do_mknodat, may_mknod, filename_create): S_IFIFO
   makes a FIFO (mkfifo is mknod), S_IFREG or type 0 an empty regular file,
   S_IFSOCK a socket node that cannot be opened (ENXIO); the umask applies to
   all of them. A directory type is EPERM, an unknown type (a symlink's)
   EINVAL, before the path is looked at. A taken name is EEXIST (also a
   dangling symlink: it is not followed), a missing directory ENOENT, a new
   name with a trailing slash ENOENT, a name in a file ENOTDIR. getdents
   reports the types. (Device nodes are left out: whether root may make
   them depends on the host's container.) */
#include <sys/sysmacros.h>
#include "files_util.h"

static void show_type(const char *name)
{
    struct stat sb;
    if (lstat(name, &sb) != 0) {
        printf("%s: %s\n", name, ename(errno));
        return;
    }
    const char *t = S_ISFIFO(sb.st_mode) ? "fifo" : S_ISREG(sb.st_mode) ? "regular" : S_ISSOCK(sb.st_mode) ? "socket"
                    : S_ISLNK(sb.st_mode) ? "symlink" : "other";
    printf("%s: %s, mode %04o, size %ld, links %ld\n", name, t, (unsigned)(sb.st_mode & 07777), (long)sb.st_size,
           (long)sb.st_nlink);
}

int main(void)
{
    enter_tmpdir();
    umask(027);
    SHOW("mknod S_IFIFO", mknod("fifo", S_IFIFO | 0666, 0));
    SHOW("mkfifo", mkfifo("fifo2", 0600));
    SHOW("mknod S_IFREG", mknod("reg", S_IFREG | 0666, 0));
    SHOW("mknod type 0", mknod("zero", 0644, 0));
    SHOW("mknod S_IFSOCK", mknod("sock", S_IFSOCK | 0777, 0));
    SHOW("mknod S_IFDIR", mknod("dir", S_IFDIR | 0755, 0));
    SHOW("mknod S_IFLNK", mknod("lnk", S_IFLNK | 0777, 0));
    SHOW("mknod S_IFDIR in a missing directory", mknod("none/dir", S_IFDIR | 0755, 0));
    const char *names[] = {"fifo", "fifo2", "reg", "zero", "sock", "dir", "lnk"};
    for (int i = 0; i < 7; i++)
        show_type(names[i]);

    SHOW("mkfifo over a fifo", mkfifo("fifo", 0666));
    SHOW("mkfifo over a file", mkfifo("reg", 0666));
    symlink("nowhere", "dangling");
    SHOW("mkfifo over a dangling symlink", mkfifo("dangling", 0666));
    SHOW("mkfifo in a missing directory", mkfifo("none/fifo", 0666));
    SHOW("mkfifo with a trailing slash", mkfifo("newfifo/", 0666));
    SHOW("mkfifo under a file", mkfifo("reg/fifo", 0666));
    SHOW("mkfifo .", mkfifo(".", 0666));
    SHOW("mknodat", mknodat(AT_FDCWD, "fifo3", S_IFIFO | 0644, 0));
    show_type("fifo3");

    SHOW("open the socket node", open("sock", O_RDONLY));
    SHOW("open a fifo O_DIRECTORY", open("fifo", O_RDONLY | O_DIRECTORY | O_NONBLOCK));
    int fd = open("reg", O_RDWR);
    SHOW("write to the mknod'd file", write(fd, "abc", 3));
    close(fd);
    show_type("reg");

    DIR *d = opendir(".");
    struct dirent *e;
    int fifos = 0, socks = 0, regs = 0;
    while ((e = readdir(d))) {
        fifos += e->d_type == DT_FIFO;
        socks += e->d_type == DT_SOCK;
        regs += e->d_type == DT_REG;
    }
    closedir(d);
    printf("getdents: %d fifos, %d sockets, %d regular files\n", fifos, socks, regs);

    SHOW("rename a fifo", rename("fifo", "fifo_renamed"));
    SHOW("link a fifo", link("fifo2", "fifo2_link"));
    show_type("fifo2");
    leave_tmpdir();
    return 0;
}
