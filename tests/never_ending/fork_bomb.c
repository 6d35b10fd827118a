/* A bounded fork bomb: 2^14 processes wanted. Every process forks 14 times
   (counting failures) and then reaps its children; run with a small pid_max,
   fork starts failing with EAGAIN and the kernel must survive. Never run it
   natively. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/wait.h>

int main(void) {
    pid_t top = getpid();
    int failed = 0;
    for (int i = 0; i < 14; i++) {
        pid_t p = fork();
        if (p < 0 && errno == EAGAIN) failed++;
    }
    while (wait(NULL) > 0)
        ;
    if (getpid() == top)
        printf("the first process survived; its own forks that failed: %d\n", failed);
    return 0;
}
