/* Each process reads before it writes: under every schedule both sleep in
   read for ever. */
#include <unistd.h>

int main(void)
{
    int a[2], b[2];
    char c;
    pipe(a);
    pipe(b);
    if (fork() == 0) {
        read(a[0], &c, 1);
        write(b[1], "x", 1);
        _exit(0);
    }
    read(b[0], &c, 1);
    write(a[1], "y", 1);
    return 0;
}
