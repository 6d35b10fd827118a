/* Says it is ready, then never ends by itself: computes forever ("spin"),
 * or waits for input that never comes ("read"; proclab then waits in the
 * host for its own stdin). Only the user's Ctrl-C stops it. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    printf("ready\n");
    fflush(stdout);
    if (argc > 1 && strcmp(argv[1], "read") == 0) {
        char c;
        while (read(0, &c, 1) != 0)
            ;
        printf("end of input\n");
        return 3;
    }
    volatile unsigned long n = 0;
    for (;;)
        n++;
}
