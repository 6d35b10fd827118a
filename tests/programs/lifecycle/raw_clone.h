/* Raw clone and clone3 for the lifecycle tests: libc's wrappers hide the
   flags under test, so the syscalls are made by hand. The child runs fn(arg)
   on its own stack and ends with SYS_exit; the parent gets the syscall's
   return value. rsys() is a raw syscall with up to four arguments, safe in a
   child that shares memory (it never touches errno). */
#ifndef RAW_CLONE_H
#define RAW_CLONE_H
#include <stdint.h>

#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif

struct clone_args_v2 {
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls,
        set_tid, set_tid_size, cgroup;
};

/* After the syscall: the parent (rax != 0) jumps over; the child, on its new
   stack, calls fn(arg) (r12, r13) and passes its return value to SYS_exit. */
#define CHILD_TRAMPOLINE          \
    "syscall\n\t"                 \
    "test %%rax, %%rax\n\t"       \
    "jnz 1f\n\t"                  \
    "xor %%ebp, %%ebp\n\t"        \
    "and $-16, %%rsp\n\t"         \
    "mov %%r13, %%rdi\n\t"        \
    "call *%%r12\n\t"             \
    "mov %%eax, %%edi\n\t"        \
    "mov $60, %%eax\n\t"          \
    "syscall\n\t"                 \
    "hlt\n"                       \
    "1:"

/* clone(2) by hand: the child runs fn(arg) on stack_top and ends with SYS_exit. */
static inline long clone_fn(unsigned long flags, void *stack_top, int *ptid, int *ctid,
                            void *tls, int (*fn)(void *), void *arg)
{
    long ret;
    register long r10 __asm__("r10") = (long)ctid;
    register long r8 __asm__("r8") = (long)tls;
    register long r12 __asm__("r12") = (long)fn;
    register long r13 __asm__("r13") = (long)arg;
    __asm__ volatile(CHILD_TRAMPOLINE
                     : "=a"(ret)
                     : "0"(56L), "D"(flags), "S"(stack_top), "d"(ptid), "r"(r10), "r"(r8),
                       "r"(r12), "r"(r13)
                     : "rcx", "r11", "memory");
    return ret;
}

/* clone3(2) by hand, same child convention (stack = stack + stack_size). */
static inline long clone3_fn(void *args, unsigned long size, int (*fn)(void *), void *arg)
{
    long ret;
    register long r12 __asm__("r12") = (long)fn;
    register long r13 __asm__("r13") = (long)arg;
    __asm__ volatile(CHILD_TRAMPOLINE
                     : "=a"(ret)
                     : "0"(435L), "D"(args), "S"(size), "r"(r12), "r"(r13)
                     : "rcx", "r11", "memory");
    return ret;
}

/* a raw syscall: no errno, no libc state */
static inline long rsys(long n, long a, long b, long c, long d)
{
    long ret;
    register long r10 __asm__("r10") = d;
    __asm__ volatile("syscall" : "=a"(ret) : "0"(n), "D"(a), "S"(b), "d"(c), "r"(r10)
                     : "rcx", "r11", "memory");
    return ret;
}

#endif
