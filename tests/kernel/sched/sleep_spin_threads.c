/* Four threads alternate a little computing and short nanosleeps of different
   lengths: on several CPUs the timer of a sleeper fires on a CPU ahead in
   time of the sleeper's own; every sleep must still end. Prints "done". */
#include <pthread.h>
#include <stdio.h>
#include <time.h>
static volatile unsigned long sink;
static void *loop(void *a) {
    long id = (long)a;
    struct timespec d = {0, 300000 + id * 170000};
    for (int i = 0; i < 40; i++) {
        for (int j = 0; j < 20000 * (id + 1); j++) sink += j;
        nanosleep(&d, NULL);
    }
    return a;
}
int main(void) {
    pthread_t t[4];
    for (long i = 0; i < 4; i++) pthread_create(&t[i], NULL, loop, (void *)i);
    for (int i = 0; i < 4; i++) pthread_join(t[i], NULL);
    puts("done");
    return 0;
}
