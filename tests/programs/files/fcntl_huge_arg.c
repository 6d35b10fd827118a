/* fcntl's argument is an unsigned long that do_fcntl cuts to an int (argi),
   which f_dupfd reads as an unsigned int: a huge F_DUPFD or F_DUPFD_CLOEXEC
   start, top bit set, is >= RLIMIT_NOFILE and EINVAL, as is the limit itself,
   while 1 << 32 is start 0; F_SETFD and F_SETFL use only their known bits of
   a huge value; F_SETPIPE_SZ takes the low 32 bits too. Made with
   syscall(SYS_fcntl, ...) so that libc does not touch the argument. */
#include "files_util.h"
#include <sys/resource.h>
#include <sys/syscall.h>

#define HUGE 0x974ea2c153780066UL

int main(void)
{
    int p[2];
    struct rlimit rl;
    pipe(p);                                         /* 3 4 */
    getrlimit(RLIMIT_NOFILE, &rl);

    SHOW("F_DUPFD huge", syscall(SYS_fcntl, p[0], F_DUPFD, HUGE));
    SHOW("F_DUPFD_CLOEXEC huge", syscall(SYS_fcntl, p[0], F_DUPFD_CLOEXEC, HUGE));
    SHOW("F_DUPFD ~0", syscall(SYS_fcntl, p[0], F_DUPFD, ~0UL));
    SHOW("F_DUPFD 1 << 32", syscall(SYS_fcntl, p[0], F_DUPFD, 1UL << 32));
    SHOW("F_DUPFD RLIMIT_NOFILE", syscall(SYS_fcntl, p[0], F_DUPFD, (unsigned long)rl.rlim_cur));
    SHOW("F_DUPFD RLIMIT_NOFILE - 1", syscall(SYS_fcntl, p[0], F_DUPFD, (unsigned long)rl.rlim_cur - 1) > 0);
    SHOW("F_SETFD huge", syscall(SYS_fcntl, p[0], F_SETFD, HUGE));
    SHOW("  F_GETFD", syscall(SYS_fcntl, p[0], F_GETFD));
    SHOW("F_SETFD ~0", syscall(SYS_fcntl, p[0], F_SETFD, ~0UL));
    SHOW("  F_GETFD", syscall(SYS_fcntl, p[0], F_GETFD));
    SHOW("F_SETFL huge", syscall(SYS_fcntl, p[1], F_SETFL, HUGE));
    SHOW("  F_GETFL", syscall(SYS_fcntl, p[1], F_GETFL) & (O_APPEND | O_NONBLOCK | O_ACCMODE));
    SHOW("F_SETFL ~0", syscall(SYS_fcntl, p[1], F_SETFL, ~0UL));
    SHOW("  F_GETFL", syscall(SYS_fcntl, p[1], F_GETFL) & (O_APPEND | O_NONBLOCK | O_ACCMODE));
    SHOW("F_SETPIPE_SZ (1 << 32) + 8192", syscall(SYS_fcntl, p[0], F_SETPIPE_SZ, (1UL << 32) + 8192));
    SHOW("  F_GETPIPE_SZ", syscall(SYS_fcntl, p[0], F_GETPIPE_SZ));
    SHOW("F_GETFD huge fd", syscall(SYS_fcntl, 0x100000003UL, F_GETFD, 0));
    return 0;
}
