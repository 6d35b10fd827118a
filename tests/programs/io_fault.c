/* Port I/O at CPL 3 faults *before* the instruction: the SIGSEGV handler sees
   RIP on the in/out, no later instruction of the same block has run, and `in`
   has not written AL. The handler skips the one-byte instruction and the
   program goes on. (#GP: SIGSEGV with si_code SI_KERNEL and si_addr 0.) */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

static volatile int after;

static void on_segv(int sig, siginfo_t *si, void *ctx) {
    ucontext_t *uc = ctx;
    unsigned char *ip = (unsigned char *)uc->uc_mcontext.gregs[REG_RIP];
    printf("sig %d code %#x addr %p insn %#x after %d al %#llx\n", sig, si->si_code,
           si->si_addr, ip[0], after, uc->uc_mcontext.gregs[REG_RAX] & 0xff);
    uc->uc_mcontext.gregs[REG_RIP] += 1;
}

int main(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, 0);

    __asm__ volatile("mov $0x80, %%dx\n\tout %%al, %%dx\n\tmovl $1, %0"
                     : "=m"(after) : "a"(0x11) : "rdx");
    printf("after out: %d\n", after);

    unsigned long rax = 0x55;
    __asm__ volatile("mov $0x80, %%dx\n\tin %%dx, %%al\n\tmovl $2, %1"
                     : "+a"(rax), "=m"(after) : : "rdx");
    printf("after in: %d al %#lx\n", after, rax & 0xff);
    return 0;
}
