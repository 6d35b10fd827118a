/* The classic fork bomb. Never run it natively: under proclab the pid
   limit makes forks fail with EAGAIN and the CPU budget ends the run. */
#include <unistd.h>

int main(void) {
    for (;;)
        fork();
}
