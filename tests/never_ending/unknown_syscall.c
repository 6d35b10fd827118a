/* Calls a syscall that does not exist, twice: ENOSYS both times, one warning. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(void) {
    long a = syscall(999), ea = errno;
    long b = syscall(999), eb = errno;
    printf("%ld %d %ld %d\n", a, ea == ENOSYS, b, eb == ENOSYS);
    return 0;
}
