/* Two processes write one byte each: "ab" or "ba", nothing else. */
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    if (fork() == 0) {
        write(1, "a", 1);
        _exit(0);
    }
    write(1, "b", 1);
    wait(0);
    return 0;
}
