/* G4/G1 SA_ONSTACK: a handler with SA_ONSTACK runs on the alternate signal
   stack (its local variable lies inside it, sigaltstack reports SS_ONSTACK,
   and changing the stack from there is EPERM); a nested SA_ONSTACK handler
   goes further down the same alternate stack; a handler without SA_ONSTACK,
   or with the alternate stack disabled, runs on the normal stack. Errors:
   ENOMEM below MINSIGSTKSZ, EINVAL for unknown flags. A fork child inherits
   the alternate stack. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define ALT_SIZE 65536
static char alt[ALT_SIZE] __attribute__((aligned(16)));
static volatile int on_alt[4], flag_onstack[4], eperm_inside = -1;
static char *volatile local_at[4];

static int inside(const void *p) { return (const char *)p >= alt && (const char *)p < alt + ALT_SIZE; }

static void record(int slot) {
    volatile char here = 0;
    stack_t ss;
    sigaltstack(NULL, &ss);
    on_alt[slot] = inside((const void *)&here);
    local_at[slot] = (char *)&here;
    flag_onstack[slot] = (ss.ss_flags & SS_ONSTACK) != 0;
}

static void on_usr1(int sig) {
    (void)sig;
    record(0);
    stack_t n = {.ss_sp = alt, .ss_size = ALT_SIZE, .ss_flags = 0};
    errno = 0;
    eperm_inside = sigaltstack(&n, NULL) == -1 && errno == EPERM;
    raise(SIGUSR2);    /* SIGUSR2 has SA_ONSTACK too: nests further down */
}
static void on_usr2(int sig) { (void)sig; record(1); }
static void on_hup(int sig) { (void)sig; record(2); }

int main(void) {
    stack_t ss, old;
    sigaltstack(NULL, &old);
    printf("initially disabled: %d\n", (old.ss_flags & SS_DISABLE) != 0);
    ss.ss_sp = alt;
    ss.ss_size = 1024;
    ss.ss_flags = 0;
    errno = 0;
    printf("size 1024: %d ENOMEM=%d\n", sigaltstack(&ss, NULL), errno == ENOMEM);
    ss.ss_size = ALT_SIZE;
    ss.ss_flags = 0x1234;
    errno = 0;
    printf("flags 0x1234: %d EINVAL=%d\n", sigaltstack(&ss, NULL), errno == EINVAL);
    ss.ss_flags = 0;
    printf("set: %d\n", sigaltstack(&ss, NULL));
    sigaltstack(NULL, &old);
    printf("query: same base %d, same size %d, flags %d\n", old.ss_sp == (void *)alt, old.ss_size == ALT_SIZE, old.ss_flags);

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_flags = SA_ONSTACK;
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    sa.sa_handler = on_usr2;
    sigaction(SIGUSR2, &sa, NULL);
    sa.sa_flags = 0;
    sa.sa_handler = on_hup;
    sigaction(SIGHUP, &sa, NULL);

    raise(SIGUSR1);
    printf("SA_ONSTACK handler: on the alternate stack %d, SS_ONSTACK %d, sigaltstack inside EPERM %d\n",
           on_alt[0], flag_onstack[0], eperm_inside);
    printf("nested SA_ONSTACK handler: on the alternate stack %d, below the first %d, SS_ONSTACK %d\n",
           on_alt[1], local_at[1] < local_at[0], flag_onstack[1]);
    raise(SIGHUP);
    printf("handler without SA_ONSTACK: on the alternate stack %d, SS_ONSTACK %d\n", on_alt[2], flag_onstack[2]);
    sigaltstack(NULL, &old);
    printf("back in main: SS_ONSTACK %d\n", (old.ss_flags & SS_ONSTACK) != 0);

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        sigaltstack(NULL, &old);
        on_alt[0] = 0;
        raise(SIGUSR1);
        printf("fork child: inherited the alternate stack %d, handler on it %d\n",
               old.ss_sp == (void *)alt && !(old.ss_flags & SS_DISABLE), on_alt[0]);
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, NULL, 0);

    ss.ss_flags = SS_DISABLE;
    printf("disable: %d\n", sigaltstack(&ss, NULL));
    raise(SIGUSR1);
    printf("SA_ONSTACK with the stack disabled: on the alternate stack %d, SS_ONSTACK %d\n", on_alt[0], flag_onstack[0]);
    return 0;
}
