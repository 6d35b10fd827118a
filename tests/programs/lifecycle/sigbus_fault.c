/* X1: a fault the kernel turns into SIGBUS: touching a page of a file
   mapping that lies wholly past the end of the file. The file is the
   program's own binary (argv[0]), mapped one page longer than it is; the
   last byte of the file is readable, the next page is not. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    (void)argc;
    int fd = open(argv[0], O_RDONLY);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        printf("cannot open myself\n");
        return 1;
    }
    long size = sb.st_size, end = (size + 4095) & ~4095L;
    char *m = mmap(0, end + 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    printf("mapped %d, last byte of the file readable %d\n", m != MAP_FAILED, m[size - 1] == m[size - 1]);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_DUMPABLE, 0);
        volatile char c = m[end];                    /* past EOF */
        (void)c;
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("touching the page past EOF: killed %d by signal %d (SIGBUS is 7), core %d\n", WIFSIGNALED(st),
           WIFSIGNALED(st) ? WTERMSIG(st) : 0, WCOREDUMP(st) != 0);
    return 0;
}
