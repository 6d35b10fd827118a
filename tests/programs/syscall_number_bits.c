/* The system call number is eax: Linux (do_syscall_64 takes an int) ignores
 * the upper half of rax, so getpid's number with bit 32 set is getpid; -1
 * and numbers past the table are ENOSYS either way. */
#include <stdio.h>
#include <unistd.h>

static long raw0(long nr)
{
    long ret;
    __asm__ volatile("syscall" : "=a"(ret) : "a"(nr) : "rcx", "r11", "memory");
    return ret;
}

int main(void)
{
    long pid = getpid();
    printf("getpid | 1 << 32: %s\n", raw0(0x100000000L | 39) == pid ? "getpid" : "other");
    printf("getpid | 0xdead << 32: %s\n", raw0(0xdead00000000L | 39) == pid ? "getpid" : "other");
    printf("-1: %ld\n", raw0(-1));
    printf("0xffffffff: %ld\n", raw0(0xffffffffL));
    printf("0x7fffffff: %ld\n", raw0(0x7fffffffL));
    return 0;
}
