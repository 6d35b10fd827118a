/* rdtsc reads proclab's virtual clock (the instruction traps and is
   emulated), so two runs print the same counts. */
#include <stdio.h>
#include <stdint.h>
#include <unistd.h>
static uint64_t tsc(void) { uint32_t lo, hi; __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi)); return ((uint64_t)hi << 32) | lo; }
int main(void) {
    uint64_t a = tsc();
    usleep(1000);
    uint64_t b = tsc();
    printf("%llu %llu %d\n", (unsigned long long)a, (unsigned long long)(b - a), b - a >= 1000000);
    return 0;
}
