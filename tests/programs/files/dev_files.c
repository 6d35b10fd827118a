/* I2, issue 5 (/dev/null, /dev/zero, /dev/urandom): /dev/null swallows every
   write (returning the full count) and reads as EOF; /dev/zero reads as
   zeros however much is asked and swallows writes; /dev/urandom gives as
   many bytes as asked, and two reads differ (its contents are not printed:
   they are random on the host, seeded on proclab). All three are character
   devices (1:3, 1:5, 1:9) of mode 0666, lseek on them returns 0, and they
   survive dup2 onto stdin/stdout (the shell idiom `>/dev/null`). A private
   mapping of /dev/zero is zero-filled, writable memory. */
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include "files_util.h"

int main(void)
{
    char buf[5000];
    int null = open("/dev/null", O_RDWR);
    SHOW("write 5000 to /dev/null", write(null, buf, sizeof buf));
    SHOW("read /dev/null", read(null, buf, sizeof buf));
    SHOW("lseek /dev/null", lseek(null, 100, SEEK_SET));

    int zero = open("/dev/zero", O_RDWR);
    memset(buf, 'x', sizeof buf);
    SHOW("read 5000 from /dev/zero", read(zero, buf, sizeof buf));
    int zeros = 0;
    for (int i = 0; i < (int)sizeof buf; i++)
        zeros += buf[i] == 0;
    printf("  zeros: %d\n", zeros);
    SHOW("write to /dev/zero", write(zero, "abc", 3));
    SHOW("lseek /dev/zero", lseek(zero, 100, SEEK_SET));

    int ur = open("/dev/urandom", O_RDONLY);
    char a[64], b[64];
    SHOW("read 64 from /dev/urandom", read(ur, a, sizeof a));
    SHOW("read 64 more", read(ur, b, sizeof b));
    printf("  the two differ: %d\n", memcmp(a, b, sizeof a) != 0);
    SHOW("read 5000 from /dev/urandom", read(ur, buf, sizeof buf));

    const char *devs[] = {"/dev/null", "/dev/zero", "/dev/urandom"};
    for (int i = 0; i < 3; i++) {
        struct stat sb;
        stat(devs[i], &sb);
        printf("%s: char device %d, mode %04o, %u:%u\n", devs[i], S_ISCHR(sb.st_mode), (unsigned)(sb.st_mode & 07777),
               major(sb.st_rdev), minor(sb.st_rdev));
    }

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("/dev/null", O_WRONLY);
        dup2(fd, 1);
        printf("this goes nowhere\n");
        fflush(stdout);
        _exit(0);
    }
    printf("a child with stdout on /dev/null: %s, and nothing printed\n", reap(pid));

    char *m = mmap(0, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, zero, 0);
    zeros = 0;
    for (int i = 0; i < 8192; i++)
        zeros += m[i] == 0;
    m[100] = 7;
    printf("mmap of /dev/zero: %d zeros, writable %d\n", zeros, m[100] == 7);
    return 0;
}
