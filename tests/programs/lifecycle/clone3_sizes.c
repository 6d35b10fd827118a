/* clone3's size argument, as copy_clone_args_from_user checks it: below
   CLONE_ARGS_SIZE_VER0 (64) is EINVAL, above PAGE_SIZE E2BIG; an older struct
   (64 bytes) is zero-extended; a newer one (96 bytes) is accepted when the
   bytes past the kernel's struct are zero (copy_struct_from_user), E2BIG when
   one is not. Each fork-like child _exit(0)s at once; the parent prints the
   result (OK, or the errno) and reaps it. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static union {
    uint64_t words[8192 / 8];
    unsigned char bytes[8192];
} args;

static void try_size(const char *label, size_t size, int dirty_tail)
{
    memset(&args, 0, sizeof args);
    args.words[4] = SIGCHLD;            /* exit_signal */
    if (dirty_tail)
        args.bytes[95] = 1;             /* past the 88 bytes Linux knows */
    long r = syscall(SYS_clone3, &args, size);
    if (r == 0)
        _exit(0);
    if (r < 0) {
        printf("%s: %s\n", label, errno == EINVAL ? "EINVAL" : errno == E2BIG ? "E2BIG" : strerror(errno));
        return;
    }
    int status;
    pid_t w = waitpid((pid_t)r, &status, 0);
    printf("%s: OK, child reaped %s, exit %d\n", label, w == r ? "yes" : "no", WEXITSTATUS(status));
}

int main(void)
{
    try_size("size 63", 63, 0);
    try_size("size 64 (VER0)", 64, 0);
    try_size("size 88 (VER2)", 88, 0);
    try_size("size 96, zero tail", 96, 0);
    try_size("size 96, non-zero tail", 96, 1);
    try_size("size 4096, zero tail", 4096, 0);
    try_size("size 4097", 4097, 0);
    return 0;
}
