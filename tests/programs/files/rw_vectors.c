/* I1, issue 5 (read, write, readv, writev, pread64, pwrite64, lseek) on a regular
   file: writev gathers its buffers in order, readv scatters and stops at EOF;
   pread/pwrite use their own offset and leave the file offset alone; lseek
   SEEK_SET/CUR/END, a seek past the end then a write leaves a hole that reads
   as zeros; a read at EOF returns 0. Errors: lseek to a negative offset or
   with a bad whence is EINVAL; lseek, pread and pwrite on a pipe are ESPIPE;
   a negative pread offset is EINVAL; an iovec count above IOV_MAX is EINVAL,
   0 is 0; reading a write-only fd or writing a read-only one is EBADF. */
#include <limits.h>
#include <sys/uio.h>
#include "files_util.h"

int main(void)
{
    enter_tmpdir();
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    struct iovec out[3] = {{"alpha ", 6}, {"", 0}, {"beta gamma", 10}};
    SHOW("writev of 6 + 0 + 10", writev(fd, out, 3));
    SHOW("offset", lseek(fd, 0, SEEK_CUR));

    char a[4] = {0}, b[5] = {0}, c[20] = {0};
    struct iovec in[3] = {{a, 3}, {b, 4}, {c, 19}};
    lseek(fd, 0, SEEK_SET);
    SHOW("readv of 3 + 4 + 19", readv(fd, in, 3));
    printf("  \"%s\" \"%s\" \"%s\"\n", a, b, c);
    SHOW("read at EOF", read(fd, c, 1));

    memset(c, 0, sizeof c);
    SHOW("pread 4 at 6", pread(fd, c, 4, 6));
    printf("  \"%s\", offset still %ld\n", c, (long)lseek(fd, 0, SEEK_CUR));
    SHOW("pwrite \"BETA\" at 6", pwrite(fd, "BETA", 4, 6));
    printf("  offset still %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    SHOW("pread past the end", pread(fd, c, 4, 100));

    SHOW("SEEK_SET 2", lseek(fd, 2, SEEK_SET));
    SHOW("SEEK_CUR +3", lseek(fd, 3, SEEK_CUR));
    SHOW("SEEK_CUR -1", lseek(fd, -1, SEEK_CUR));
    SHOW("SEEK_END 0", lseek(fd, 0, SEEK_END));
    SHOW("SEEK_END -4", lseek(fd, -4, SEEK_END));
    SHOW("SEEK_SET -1", lseek(fd, -1, SEEK_SET));
    SHOW("SEEK_CUR to before 0", lseek(fd, -100, SEEK_CUR));
    SHOW("  offset unchanged", lseek(fd, 0, SEEK_CUR));
    SHOW("whence 7", lseek(fd, 0, 7));

    SHOW("SEEK_END +10 (past the end)", lseek(fd, 10, SEEK_END));
    SHOW("  size before a write", lseek(fd, 0, SEEK_END));
    lseek(fd, 10, SEEK_END);
    SHOW("  write 1 byte there", write(fd, "!", 1));
    struct stat sb;
    fstat(fd, &sb);
    printf("  size %ld\n", (long)sb.st_size);
    char hole[10];
    pread(fd, hole, 10, 16);
    int zeros = 0;
    for (int i = 0; i < 10; i++)
        zeros += hole[i] == 0;
    printf("  the hole reads as %d zeros\n", zeros);

    memset(c, 0, sizeof c);
    pread(fd, c, 16, 0);
    printf("contents: \"%s\"\n", c);

    SHOW("readv with IOV_MAX + 1", readv(fd, in, IOV_MAX + 1));
    SHOW("readv with 0 vectors", readv(fd, in, 0));
    SHOW("pread at -1", pread(fd, c, 1, -1));

    int p[2];
    pipe(p);
    SHOW("lseek on a pipe", lseek(p[0], 0, SEEK_CUR));
    SHOW("pread on a pipe", pread(p[0], c, 1, 0));
    SHOW("pwrite on a pipe", pwrite(p[1], "x", 1, 0));

    int ro = open("f", O_RDONLY), wo = open("f", O_WRONLY);
    SHOW("write to an O_RDONLY fd", write(ro, "x", 1));
    SHOW("read from an O_WRONLY fd", read(wo, c, 1));
    SHOW("pwrite to an O_RDONLY fd", pwrite(ro, "x", 1, 0));
    leave_tmpdir();
    return 0;
}
