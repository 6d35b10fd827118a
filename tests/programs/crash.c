/* A program that crashes itself: a shell reports status 139 (128 + SIGSEGV). */
#include <stdio.h>
int main(void) {
    printf("about to crash\n");
    fflush(stdout);
    *(volatile int *)0 = 1;
    return 0;
}
