/* mmap of files the kernel makes up as they are read (/proc, /sys): they
 * have no mmap method, so mmap fails with ENODEV, private or shared. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int main(void)
{
    const char *paths[] = {"/proc/self/status", "/proc/self/stat", "/proc/sys/kernel/pid_max",
                           "/sys/devices/system/cpu/online"};
    for (unsigned i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        int fd = open(paths[i], O_RDONLY);
        void *p = mmap(0, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
        int private_errno = p == MAP_FAILED ? errno : 0;
        void *q = mmap(0, 4096, PROT_READ, MAP_SHARED, fd, 0);
        printf("%s: private %s, shared %s\n", paths[i], private_errno ? strerror(private_errno) : "mapped",
               q == MAP_FAILED ? strerror(errno) : "mapped");
        close(fd);
    }
    return 0;
}
