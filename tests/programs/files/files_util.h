/* Helpers for the file tests (SEMANTICS I1/I2, issue 5).

   Every program works in a fresh directory under /tmp (enter_tmpdir) and
   removes it at the end (leave_tmpdir), so a host run leaves nothing behind;
   on proclab those writes land in the in-memory layer. Results are printed as
   return values and errno names (never addresses, inode numbers, times or the
   random directory name), so the output is the same on any Linux host. */
#ifndef FILES_UTIL_H
#define FILES_UTIL_H
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static inline const char *ename(int e)
{
    switch (e) {
    case 0: return "OK";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case ENXIO: return "ENXIO";
    case E2BIG: return "E2BIG";
    case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case EXDEV: return "EXDEV";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENOTTY: return "ENOTTY";
    case EFBIG: return "EFBIG";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EOPNOTSUPP: return "EOPNOTSUPP";
    case EROFS: return "EROFS";
    case EPIPE: return "EPIPE";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ELOOP: return "ELOOP";
    case EOVERFLOW: return "EOVERFLOW";
    case ENOSYS: return "ENOSYS";
    case ENOMSG: return "ENOMSG";
    case EIDRM: return "EIDRM";
    default: return "E?";
    }
}

/* "label: ret" for a success, "label: -1 ENAME" for a failure; errno is
   cleared first so that a stale value never shows. */
#define SHOW(label, call)                                                  \
    do {                                                                   \
        errno = 0;                                                         \
        long r_ = (long)(call);                                            \
        if (r_ < 0)                                                        \
            printf("%s: -1 %s\n", (label), ename(errno));                  \
        else                                                               \
            printf("%s: %ld\n", (label), r_);                              \
    } while (0)

/* the same for calls whose success value is not stable (an fd number) */
#define SHOW_OK(label, call)                                               \
    do {                                                                   \
        errno = 0;                                                         \
        long r_ = (long)(call);                                            \
        printf("%s: %s\n", (label), r_ < 0 ? ename(errno) : "OK");         \
    } while (0)

static char tmpdir_path[64];

/* Create a fresh directory under /tmp and make it the cwd. */
static inline void enter_tmpdir(void)
{
    strcpy(tmpdir_path, "/tmp/proclab-files-XXXXXX");
    if (!mkdtemp(tmpdir_path) || chdir(tmpdir_path) != 0) {
        printf("cannot make a directory under /tmp: %s\n", ename(errno));
        exit(1);
    }
}

/* Remove `path` and everything below it (symlinks are not followed). */
static inline void rm_tree(const char *path)
{
    struct stat sb;
    if (lstat(path, &sb) != 0)
        return;
    if (!S_ISDIR(sb.st_mode)) {
        unlink(path);
        return;
    }
    chmod(path, 0700);
    DIR *d = opendir(path);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char sub[4096];
            snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
            rm_tree(sub);
        }
        closedir(d);
    }
    rmdir(path);
}

static inline void leave_tmpdir(void)
{
    if (chdir("/") == 0 && tmpdir_path[0])
        rm_tree(tmpdir_path);
}

/* Create (or truncate) `name` holding `text`; 0 or -1. */
static inline int put_file(const char *name, const char *text)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    size_t n = strlen(text);
    int ok = write(fd, text, n) == (ssize_t)n;
    close(fd);
    return ok ? 0 : -1;
}

/* The contents of `name` as a string in buf ("" and -1 if it cannot be read). */
static inline long get_file(const char *name, char *buf, size_t size)
{
    buf[0] = 0;
    int fd = open(name, O_RDONLY);
    if (fd < 0)
        return -1;
    long n = read(fd, buf, size - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    return n;
}

/* Wait for `pid` and describe how it ended: "exit N" or "signal N". */
static inline const char *reap(pid_t pid)
{
    static char how[32];
    int st;
    if (waitpid(pid, &st, 0) != pid)
        snprintf(how, sizeof how, "wait %s", ename(errno));
    else if (WIFEXITED(st))
        snprintf(how, sizeof how, "exit %d", WEXITSTATUS(st));
    else
        snprintf(how, sizeof how, "signal %d", WTERMSIG(st));
    return how;
}

#endif
