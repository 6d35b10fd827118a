/* I2, issue 5 (getdents64): listing a fresh directory returns ".", ".." and every
   entry exactly once with its type (DT_REG, DT_DIR, DT_LNK), across as many
   calls as a small buffer needs; then 0 at the end. lseek(fd, 0, SEEK_SET)
   rewinds, and a name unlinked meanwhile is gone from the new listing. An
   empty directory lists only "." and ".."; a buffer too small for one entry
   is EINVAL; a file is ENOTDIR, a closed fd EBADF. The order entries come in
   is the filesystem's: names are sorted before printing. readdir (libc over
   getdents64) sees the same names. */
#include <sys/syscall.h>
#include "files_util.h"

struct dirent64_k {
    unsigned long long d_ino;
    long long d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[];
};

static struct entry { char name[64]; char type; } ents[64];
static int count;

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

static void print_sorted(const char *label)
{
    qsort(ents, count, sizeof ents[0], by_name);
    printf("%s (%d entries):", label, count);
    for (int i = 0; i < count; i++)
        printf(ents[i].type ? " %s:%c" : " %s", ents[i].name, ents[i].type);
    printf("\n");
}

static char type_letter(unsigned char t)
{
    return t == DT_REG ? 'f' : t == DT_DIR ? 'd' : t == DT_LNK ? 'l' : t == DT_UNKNOWN ? '?' : 'o';
}

/* list with raw getdents64 and a buffer of `size` bytes; print sorted */
static void list(const char *label, int fd, size_t size)
{
    char buf[4096];
    long n, calls = 0;
    count = 0;
    while ((n = syscall(SYS_getdents64, fd, buf, size)) > 0) {
        calls++;
        for (long off = 0; off < n;) {
            struct dirent64_k *d = (struct dirent64_k *)(buf + off);
            if (count < 64) {
                snprintf(ents[count].name, sizeof ents[0].name, "%s", d->d_name);
                ents[count++].type = type_letter(d->d_type);
            }
            off += d->d_reclen;
        }
    }
    print_sorted(label);
    if (size < 1024)
        printf("  in several calls %d, the last returned %ld\n", calls > 1, n);
}

int main(void)
{
    enter_tmpdir();
    mkdir("d", 0755);
    const char *files[] = {"d/zeta", "d/alpha", "d/Mid", "d/.hidden", "d/a-rather-long-file-name-for-a-record"};
    for (int i = 0; i < 5; i++)
        put_file(files[i], "x");
    mkdir("d/sub", 0755);
    mkdir("d/empty", 0755);
    symlink("alpha", "d/link");

    int fd = open("d", O_RDONLY | O_DIRECTORY);
    list("d, 4096-byte buffer", fd, 4096);
    lseek(fd, 0, SEEK_SET);
    list("d, 64-byte buffer", fd, 64);
    unlink("d/zeta");
    rmdir("d/sub");
    lseek(fd, 0, SEEK_SET);
    list("after unlink zeta, rmdir sub, rewound", fd, 4096);

    int e = open("d/empty", O_RDONLY | O_DIRECTORY);
    list("empty directory", e, 4096);
    char buf[16];
    lseek(e, 0, SEEK_SET);
    SHOW("an 8-byte buffer", syscall(SYS_getdents64, e, buf, 8));
    int f = open("d/alpha", O_RDONLY);
    SHOW("getdents64 of a file", syscall(SYS_getdents64, f, buf, sizeof buf));
    SHOW("getdents64 of a closed fd", syscall(SYS_getdents64, 99, buf, sizeof buf));

    DIR *dir = opendir("d");
    struct dirent *de;
    count = 0;
    while ((de = readdir(dir)) && count < 64) {
        snprintf(ents[count].name, sizeof ents[0].name, "%s", de->d_name);
        ents[count++].type = 0;
    }
    closedir(dir);
    print_sorted("readdir");
    leave_tmpdir();
    return 0;
}
