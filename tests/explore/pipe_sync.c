/* The child prints, then tells the parent through a pipe; the parent waits
   for that before it prints: "cp" under every schedule. */
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    int fd[2];
    char c;
    pipe(fd);
    if (fork() == 0) {
        write(1, "c", 1);
        write(fd[1], "x", 1);
        _exit(0);
    }
    read(fd[0], &c, 1);
    write(1, "p", 1);
    wait(0);
    return 0;
}
