/* Helpers for the System V IPC tests (SEMANTICS I1/I2, issue 5).

   These programs also run on the host: they create only IPC_PRIVATE objects
   and remove every one (IPC_RMID) before exiting, and they print values,
   counts and errno names only -- never ids, addresses or times. */
#ifndef IPC_UTIL_H
#define IPC_UTIL_H
#include "../files/files_util.h"   /* _GNU_SOURCE, ename() and SHOW() */
#include <signal.h>
#include <sys/ipc.h>

/* The status of a child as words: "exit N" or "signal NAME". */
static inline void show_status(const char *who, int st)
{
    if (WIFEXITED(st))
        printf("%s: exit %d\n", who, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: signal %s\n", who, WTERMSIG(st) == SIGSEGV ? "SIGSEGV" : WTERMSIG(st) == SIGKILL ? "SIGKILL" : "other");
}
#endif
