/* Two threads each add one to a shared counter with a separate load and
   store: 2, or 1 when one thread runs between the other's load and store. */
#include <pthread.h>
#include <stdio.h>

int counter;

static void *inc(void *arg)
{
    int v = counter;                    /* the load ...                   */
    __asm__ volatile("" ::: "memory");  /* (kept apart from the store)    */
    counter = v + 1;                    /* ... and the store              */
    return arg;
}

int main(void)
{
    pthread_t t;
    pthread_create(&t, 0, inc, 0);
    inc(0);
    pthread_join(t, 0);
    printf("%d\n", counter);
    return 0;
}
