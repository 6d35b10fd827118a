/* A child read()s "1" from a pipe into a MAP_SHARED byte while its parent
   write()s that byte to stdout: both accesses are the kernel's (copy_to_user
   and copy_from_user, no load or store of user code), so whether stdout
   gets 0 or 1 depends on which of the two syscalls goes first. The child
   then waits for the parent to close a second pipe, so that nothing else
   (its exit, its SIGCHLD) orders the two. */
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int p[2], q[2];
    char *byte = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    *byte = '0';
    pipe(p);
    pipe(q);
    write(p[1], "1", 1);
    if (fork() == 0) {
        char c;
        close(q[1]);
        read(p[0], byte, 1);
        read(q[0], &c, 1);
        _exit(0);
    }
    write(1, byte, 1);
    close(q[1]);
    wait(0);
    return 0;
}
