/* G4: a handler runs in a signal frame and rt_sigreturn restores everything
   the interrupted code had: all 15 general registers (rsp unchanged), the
   carry and direction flags (DF is cleared for the handler itself), xmm0-xmm15, and the 128-byte red zone below rsp
   (the kernel puts the frame below it). The handler clobbers all registers,
   and sees the interrupted values in its ucontext (rax, rip after the int3,
   CF/DF in eflags). A handler that edits the ucontext changes the state it
   returns to: SIGILL on ud2, the handler sets rax and moves rip past the ud2. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>

uint64_t out_regs[15], out_red[16], out_flags, out_rsp_delta;
unsigned char out_cf;
uint64_t xmm_in[32], xmm_out[32];
extern char after_int3[];
uint64_t regs_test(void);
uint64_t ud2_test(void);

__asm__(
    ".text\n"
    ".globl regs_test\n"
    "regs_test:\n"
    "  push %rbx\n  push %rbp\n  push %r12\n  push %r13\n  push %r14\n  push %r15\n"
    "  movq %rsp, out_rsp_delta(%rip)\n"
    "  .irp i,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\n"
    "  movq $(0x5a5a0000 + \\i), -8*\\i(%rsp)\n"
    "  .endr\n"
    "  .irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
    "  movdqu xmm_in+16*\\i(%rip), %xmm\\i\n"
    "  .endr\n"
    "  movabs $0x1111111111111111, %rax\n"
    "  movabs $0x2222222222222222, %rbx\n"
    "  movabs $0x3333333333333333, %rcx\n"
    "  movabs $0x4444444444444444, %rdx\n"
    "  movabs $0x5555555555555555, %rsi\n"
    "  movabs $0x6666666666666666, %rdi\n"
    "  movabs $0x7777777777777777, %rbp\n"
    "  movabs $0x8888888888888888, %r8\n"
    "  movabs $0x9999999999999999, %r9\n"
    "  movabs $0xaaaaaaaaaaaaaaaa, %r10\n"
    "  movabs $0xbbbbbbbbbbbbbbbb, %r11\n"
    "  movabs $0xcccccccccccccccc, %r12\n"
    "  movabs $0xdddddddddddddddd, %r13\n"
    "  movabs $0xeeeeeeeeeeeeeeee, %r14\n"
    "  movabs $0xffffffffffffffff, %r15\n"
    "  stc\n  std\n"
    "  int3\n"
    ".globl after_int3\n"
    "after_int3:\n"
    "  setc out_cf(%rip)\n"
    "  movq %rax, out_regs+0(%rip)\n  movq %rbx, out_regs+8(%rip)\n  movq %rcx, out_regs+16(%rip)\n"
    "  movq %rdx, out_regs+24(%rip)\n  movq %rsi, out_regs+32(%rip)\n  movq %rdi, out_regs+40(%rip)\n"
    "  movq %rbp, out_regs+48(%rip)\n  movq %r8, out_regs+56(%rip)\n  movq %r9, out_regs+64(%rip)\n"
    "  movq %r10, out_regs+72(%rip)\n  movq %r11, out_regs+80(%rip)\n  movq %r12, out_regs+88(%rip)\n"
    "  movq %r13, out_regs+96(%rip)\n  movq %r14, out_regs+104(%rip)\n"
    "  .irp i,0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15\n"
    "  movdqu %xmm\\i, xmm_out+16*\\i(%rip)\n"
    "  .endr\n"
    "  movq %r15, out_regs+112(%rip)\n"
    "  movq %rsp, %rax\n  subq out_rsp_delta(%rip), %rax\n  movq %rax, out_rsp_delta(%rip)\n"
    "  .irp i,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16\n"
    "  movq -8*\\i(%rsp), %rax\n  movq %rax, out_red+8*(\\i-1)(%rip)\n"
    "  .endr\n"
    "  pushfq\n  popq %rax\n  movq %rax, out_flags(%rip)\n"
    "  cld\n"
    "  pop %r15\n  pop %r14\n  pop %r13\n  pop %r12\n  pop %rbp\n  pop %rbx\n"
    "  ret\n"
    ".globl ud2_test\n"
    "ud2_test:\n"
    "  movq $1, %rax\n"
    "  ud2\n"
    "  ret\n");

static volatile int handler_df = -1;
static volatile int trap_rax_ok, trap_rip_ok, trap_cf, trap_df, trap_runs, ill_runs;

static void on_trap(int sig, siginfo_t *si, void *ucv) {
    (void)sig; (void)si;
    ucontext_t *uc = ucv;
    uint64_t fl;
    __asm__ volatile("pushfq\n\tpopq %0" : "=r"(fl));
    handler_df = (fl & 0x400) != 0;
    trap_runs++;
    trap_rax_ok = (uint64_t)uc->uc_mcontext.gregs[REG_RAX] == 0x1111111111111111ull &&
                  (uint64_t)uc->uc_mcontext.gregs[REG_R15] == 0xffffffffffffffffull;
    trap_rip_ok = (char *)uc->uc_mcontext.gregs[REG_RIP] == after_int3;
    trap_cf = (uc->uc_mcontext.gregs[REG_EFL] & 1) != 0;
    trap_df = (uc->uc_mcontext.gregs[REG_EFL] & 0x400) != 0;
    __asm__ volatile(
        "movq $-3, %%rax\n movq $-3, %%rbx\n movq $-3, %%rcx\n movq $-3, %%rdx\n"
        "movq $-3, %%rsi\n movq $-3, %%rdi\n movq $-3, %%r8\n movq $-3, %%r9\n"
        "movq $-3, %%r10\n movq $-3, %%r11\n movq $-3, %%r12\n movq $-3, %%r13\n"
        "movq $-3, %%r14\n movq $-3, %%r15\n"
        "pcmpeqd %%xmm0, %%xmm0\n pcmpeqd %%xmm1, %%xmm1\n pcmpeqd %%xmm2, %%xmm2\n pcmpeqd %%xmm3, %%xmm3\n"
        "pcmpeqd %%xmm4, %%xmm4\n pcmpeqd %%xmm5, %%xmm5\n pcmpeqd %%xmm6, %%xmm6\n pcmpeqd %%xmm7, %%xmm7\n"
        "pcmpeqd %%xmm8, %%xmm8\n pcmpeqd %%xmm9, %%xmm9\n pcmpeqd %%xmm10, %%xmm10\n pcmpeqd %%xmm11, %%xmm11\n"
        "pcmpeqd %%xmm12, %%xmm12\n pcmpeqd %%xmm13, %%xmm13\n pcmpeqd %%xmm14, %%xmm14\n pcmpeqd %%xmm15, %%xmm15\n"
        "clc\n"
        : : : "rax", "rbx", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15",
          "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10", "xmm11",
          "xmm12", "xmm13", "xmm14", "xmm15", "cc", "memory");
}

static void on_ill(int sig, siginfo_t *si, void *ucv) {
    (void)sig; (void)si;
    ucontext_t *uc = ucv;
    ill_runs++;
    uc->uc_mcontext.gregs[REG_RAX] = 42;
    uc->uc_mcontext.gregs[REG_RIP] += 2;    /* ud2 is two bytes */
}

int main(void) {
    for (int i = 0; i < 32; i++) xmm_in[i] = 0x0123456789abcdefull * (uint64_t)(i + 1);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_trap;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTRAP, &sa, NULL);
    sa.sa_sigaction = on_ill;
    sigaction(SIGILL, &sa, NULL);

    regs_test();
    static const uint64_t expect[15] = {
        0x1111111111111111ull, 0x2222222222222222ull, 0x3333333333333333ull, 0x4444444444444444ull,
        0x5555555555555555ull, 0x6666666666666666ull, 0x7777777777777777ull, 0x8888888888888888ull,
        0x9999999999999999ull, 0xaaaaaaaaaaaaaaaaull, 0xbbbbbbbbbbbbbbbbull, 0xccccccccccccccccull,
        0xddddddddddddddddull, 0xeeeeeeeeeeeeeeeeull, 0xffffffffffffffffull};
    static const char *names[15] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15"};
    int bad = 0;
    for (int i = 0; i < 15; i++)
        if (out_regs[i] != expect[i]) { printf("register %s changed\n", names[i]); bad++; }
    printf("handler ran %d time(s); in its ucontext: rax/r15 as loaded %d, rip after the int3 %d, CF %d, DF %d\n",
           trap_runs, trap_rax_ok, trap_rip_ok, trap_cf, trap_df);
    printf("the handler itself ran with DF clear: %d\n", handler_df == 0);
    printf("after return: general registers intact %d, rsp unchanged %d\n", bad == 0, out_rsp_delta == 0);
    printf("after return: CF %d, DF %d\n", out_cf, (out_flags & 0x400) != 0);
    printf("after return: xmm0-15 intact %d\n", memcmp(xmm_in, xmm_out, sizeof xmm_in) == 0);
    int red_ok = 1;
    for (int i = 0; i < 16; i++) red_ok &= out_red[i] == 0x5a5a0000ull + (uint64_t)(i + 1);
    printf("after return: red zone intact %d\n", red_ok);

    uint64_t r = ud2_test();
    printf("ud2 with a handler that edits rax and rip: SIGILL handler ran %d time(s), returned %d\n", ill_runs, (int)r);
    return 0;
}
