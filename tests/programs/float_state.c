/* The FPU starts as Linux sets it up (x87 extended precision, SSE exceptions
   masked): division by zero gives inf and printf rounds 2/3 to 0.667. */
#include <stdio.h>
#include <math.h>
int main(void) {
    volatile double zero = 0.0, one = 1.0, neg = -1.0;
    volatile long double big = 1e4000L;
    printf("%f %f %.3f %Lg\n", one / zero, sqrt(neg), 2.0 / 3.0, big * big);
    return 0;
}
