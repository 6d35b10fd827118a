/* G2/X1: SIGBUS made by the kernel. With EFLAGS.AC set (alignment checking,
   which Linux enables for user mode through CR0.AM) a misaligned load raises
   #AC, which Linux turns into SIGBUS with si_code BUS_ADRALN. A child with
   SIG_DFL is killed by SIGBUS (core bit 0 under RLIMIT_CORE 0); a child with
   an SA_SIGINFO handler reports si_code and leaves with _exit from the
   handler. Also a SIGBUS sent with kill (SI_USER) to a handler. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <sys/wait.h>

static char buf[16] __attribute__((aligned(16)));
static int fd[2];

static void misaligned_load(void) {
    __asm__ volatile(
        "pushfq\n\t"
        "orl $0x40000, (%%rsp)\n\t"      /* EFLAGS.AC */
        "popfq\n\t"
        "movl 1(%0), %%eax\n\t"          /* 4-byte load at an odd address */
        "pushfq\n\t"
        "andl $~0x40000, (%%rsp)\n\t"
        "popfq\n\t"
        : : "r"(buf) : "rax", "memory", "cc");
}

static void on_bus(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    char r[3] = {(char)sig, (char)si->si_code, si->si_addr == NULL};
    write(fd[1], r, 3);
    _exit(0);
}

static void on_bus_user(int sig, siginfo_t *si, void *uc) {
    (void)uc;
    char r[3] = {(char)sig, (char)si->si_code, si->si_pid == getpid()};
    write(fd[1], r, 3);
}

int main(void) {
    pipe(fd);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct rlimit rl = {0, 0};
        setrlimit(RLIMIT_CORE, &rl);
        misaligned_load();
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    printf("misaligned load with AC, SIG_DFL: killed %d by %d, core bit %d\n", WIFSIGNALED(st), WTERMSIG(st), WCOREDUMP(st) ? 1 : 0);

    int cfd[2];
    pipe(cfd);
    pid = fork();
    if (pid == 0) {
        fd[1] = cfd[1];
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_bus;
        sa.sa_flags = SA_SIGINFO;
        sigaction(SIGBUS, &sa, NULL);
        misaligned_load();
        _exit(1);
    }
    close(cfd[1]);
    waitpid(pid, &st, 0);
    char r[3] = {0, 0, 0};
    read(cfd[0], r, 3);     /* EOF (zeros) if the handler never ran */
    printf("with a handler: signal %d, BUS_ADRALN %d, si_addr NULL %d, child exited %d\n", r[0], r[1] == BUS_ADRALN, r[2], WEXITSTATUS(st));

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_bus_user;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGBUS, &sa, NULL);
    kill(getpid(), SIGBUS);
    read(fd[0], r, 3);
    printf("kill(self, SIGBUS): signal %d, SI_USER %d, si_pid is mine %d\n", r[0], r[1] == SI_USER, r[2]);
    return 0;
}
