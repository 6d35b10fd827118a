/* Issue 5 (the VFS sandbox): everything a program may do to change files,
   aimed at host files. On proclab every change must land in the in-memory
   layer (the program sees it), never on the host; tests/test_sandbox.py
   snapshots the host directory before and checks it byte for byte after.
   This is not a conformance program: on the host it would really change the
   files, and with --root its view legitimately differs.

   usage: escape_attempts DIR OUTSIDE root|host
   DIR holds victim.txt, mapped.txt, append.txt, trunc.txt, delete-me,
   rename-me, emptydir/, sub/inner.txt, and two host symlinks, escape-abs
   and escape-rel, pointing at OUTSIDE (absolute, and relative with ".."):
   the host's absolute path of a file outside DIR holding "secret". With
   "root" (proclab runs with --root DIR, so DIR is "/"), OUTSIDE must be out
   of reach however it is named: a "secret" in an "escape" line means the
   root leaked. With "host" (no --root), OUTSIDE is an ordinary, readable
   host file, and writing it must change only the program's view. Every
   line printed is "what: result". */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[1024];

static const char *at(const char *name)
{
    static char path[4][2048];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", dir, name);
    return p;
}

/* the contents of a file, or the error in <>; four results may be used at once */
static const char *contents(const char *path)
{
    static char bufs[4][256];
    static int next;
    char *buf = bufs[next++ % 4];
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        snprintf(buf, sizeof bufs[0], "<%s>", strerror(errno));
        return buf;
    }
    long n = read(fd, buf, sizeof bufs[0] - 1);
    close(fd);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

static const char *result(long r)
{
    return r < 0 ? strerror(errno) : "ok";
}

static long put(const char *path, int flags, const char *text)
{
    int fd = open(path, flags, 0644);
    if (fd < 0)
        return -1;
    long n = write(fd, text, strlen(text));
    close(fd);
    return n;
}

static void modify(void)
{
    long r = put(at("victim.txt"), O_WRONLY | O_TRUNC, "changed");
    printf("write victim.txt: %s, reads back %s\n", result(r), contents(at("victim.txt")));
    r = put(at("new.txt"), O_WRONLY | O_CREAT | O_EXCL, "created");
    printf("create new.txt: %s, reads back %s\n", result(r), contents(at("new.txt")));
    r = put(at("append.txt"), O_WRONLY | O_APPEND, "+more");
    printf("append append.txt: %s, reads back %s\n", result(r), contents(at("append.txt")));
    r = truncate(at("trunc.txt"), 0);
    struct stat sb;
    printf("truncate trunc.txt: %s, size %ld\n", result(r), stat(at("trunc.txt"), &sb) ? -1L : (long)sb.st_size);

    int fd = open(at("mapped.txt"), O_RDWR);
    char *m = fd < 0 ? MAP_FAILED : mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m != MAP_FAILED) {
        memcpy(m, "MAPPED", 6);
        msync(m, 4096, MS_SYNC);
        munmap(m, 4096);
        printf("store into a MAP_SHARED mapping of mapped.txt: ok, reads back %s\n", contents(at("mapped.txt")));
    } else {
        printf("store into a MAP_SHARED mapping of mapped.txt: %s\n", strerror(errno));
    }
    fd = open(at("victim.txt"), O_RDWR);
    r = pwrite(fd, "CH", 2, 0);
    ftruncate(fd, 5);
    close(fd);
    printf("pwrite and ftruncate victim.txt: %s, reads back %s\n", result(r), contents(at("victim.txt")));

    r = unlink(at("delete-me"));
    printf("unlink delete-me: %s, then %s\n", result(r), contents(at("delete-me")));
    r = rename(at("rename-me"), at("renamed"));
    printf("rename rename-me -> renamed: %s, renamed reads %s, rename-me %s\n", result(r), contents(at("renamed")),
           contents(at("rename-me")));
    r = chmod(at("victim.txt"), 0600);
    printf("chmod victim.txt 0600: %s, mode %04o\n", result(r),
           stat(at("victim.txt"), &sb) ? 07777 : (unsigned)(sb.st_mode & 07777));
    r = mkdir(at("newdir"), 0755);
    long r2 = put(at("newdir/file"), O_WRONLY | O_CREAT, "in newdir");
    printf("mkdir newdir and a file in it: %s %s, reads back %s\n", result(r), result(r2), contents(at("newdir/file")));
    r = rmdir(at("emptydir"));
    printf("rmdir emptydir: %s, then %s\n", result(r), access(at("emptydir"), F_OK) == 0 ? "exists" : "gone");
    r = rename(at("sub"), at("sub2"));
    printf("rename sub -> sub2: %s, sub2/inner.txt reads %s\n", result(r), contents(at("sub2/inner.txt")));
    r = unlink(at("sub2/inner.txt"));
    printf("unlink sub2/inner.txt: %s, then %s\n", result(r), contents(at("sub2/inner.txt")));
    r = symlink("victim.txt", at("newlink"));
    printf("symlink newlink -> victim.txt: %s, reads %s\n", result(r), contents(at("newlink")));
}

/* With --root: the outside file must stay out of reach, however named. */
static void escape(const char *outside)
{
    char path[4096];
    const char *tries[] = {"/../../../../../../..", "/..", "../../../../../../../.."};
    snprintf(path, sizeof path, "%s%s", tries[2], outside);
    printf("escape read %s<outside> from the initial cwd: %s\n", tries[2], contents(path));
    chdir("/");
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s%s", tries[i], outside);
        printf("escape read %s<outside>: %s\n", tries[i], contents(path));
    }
    printf("escape read <outside>: %s\n", contents(outside));
    printf("escape read escape-abs (host symlink, absolute): %s\n", contents(at("escape-abs")));
    printf("escape read escape-rel (host symlink, ..): %s\n", contents(at("escape-rel")));
    long r = put(at("escape-abs"), O_WRONLY | O_TRUNC, "pwned");
    printf("escape write escape-abs: %s\n", result(r));
    r = put(at("escape-rel"), O_WRONLY | O_CREAT | O_TRUNC, "pwned");
    printf("escape write escape-rel: %s\n", result(r));

    symlink(outside, "/made-abs");
    printf("escape read made-abs (own symlink, absolute): %s\n", contents("/made-abs"));
    snprintf(path, sizeof path, "../../../../../..%s", outside);
    symlink(path, "/made-rel");
    printf("escape read made-rel (own symlink, ..): %s\n", contents("/made-rel"));
    r = put("/made-abs", O_WRONLY | O_CREAT | O_TRUNC, "pwned");
    printf("escape write made-abs: %s\n", result(r));

    chdir("/");
    chdir("..");
    chdir("../..");
    char cwd[256] = {0};
    getcwd(cwd, sizeof cwd);
    printf("escape cwd after chdir .. from /: %s\n", cwd);
    int root = open("/", O_RDONLY | O_DIRECTORY);
    int up = openat(root, "../../..", O_RDONLY | O_DIRECTORY);
    struct stat a, b;
    int same = fstat(root, &a) == 0 && fstat(up, &b) == 0 && a.st_ino == b.st_ino && a.st_dev == b.st_dev;
    printf("escape openat(/, \"../../..\") is / again: %d\n", same);

    /* make the outside path inside the root: it is the layer's own file */
    strcpy(path, outside);
    for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = 0;
        mkdir(path, 0755);
        *s = '/';
    }
    r = put(outside, O_WRONLY | O_CREAT | O_TRUNC, "inside the root");
    printf("escape create <outside> within the root: %s, reads back %s\n", result(r), contents(outside));
}

/* Without --root: the host's files outside DIR are the read-only lower
   layer, readable under their own names; writes to them land in the layer. */
static void outside_writes(const char *outside)
{
    printf("read <outside>: %s\n", contents(outside));
    long r = put(outside, O_WRONLY | O_TRUNC, "overwritten");
    printf("write <outside>: %s, reads back %s\n", result(r), contents(outside));
    r = put(at("escape-abs"), O_WRONLY | O_APPEND, "+appended");
    printf("append through escape-abs: %s, reads back %s\n", result(r), contents(outside));
    r = symlink(outside, at("own-link"));
    long r2 = put(at("own-link"), O_WRONLY | O_TRUNC, "through own link");
    printf("write through a new symlink to <outside>: %s %s, reads back %s\n", result(r), result(r2),
           contents(outside));
}

int main(int argc, char **argv)
{
    if (argc != 4 || (strcmp(argv[3], "root") && strcmp(argv[3], "host"))) {
        fprintf(stderr, "usage: escape_attempts DIR OUTSIDE root|host\n");
        return 2;
    }
    snprintf(dir, sizeof dir, "%s", argv[1]);
    setvbuf(stdout, 0, _IOLBF, 0);
    modify();
    if (!strcmp(argv[3], "root"))
        escape(argv[2]);
    else
        outside_writes(argv[2]);
    return 0;
}
