/* Helpers for the System V IPC tests (SEMANTICS I1/I2, issue 5).

   These programs also run on the host: they create only IPC_PRIVATE objects
   and remove every one (IPC_RMID) before exiting, and they print values,
   counts and errno names only -- never ids, addresses or times. */
#ifndef IPC_UTIL_H
#define IPC_UTIL_H
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/wait.h>
#include <unistd.h>

static inline const char *ename(int e)
{
    switch (e) {
    case 0: return "OK";
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case EINTR: return "EINTR";
    case E2BIG: return "E2BIG";
    case EAGAIN: return "EAGAIN";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EEXIST: return "EEXIST";
    case EINVAL: return "EINVAL";
    case EFBIG: return "EFBIG";
    case ERANGE: return "ERANGE";
    case ENOMSG: return "ENOMSG";
    case EIDRM: return "EIDRM";
    default: return "E?";
    }
}

/* "what: 0" or "what: -1 ENAME" */
#define SHOW(what, expr) do { errno = 0; long r_ = (long)(expr); \
    if (r_ < 0) printf("%s: -1 %s\n", what, ename(errno)); else printf("%s: %ld\n", what, r_); } while (0)

/* The status of a child as words: "exit N" or "signal NAME". */
static inline void show_status(const char *who, int st)
{
    if (WIFEXITED(st))
        printf("%s: exit %d\n", who, WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("%s: signal %s\n", who, WTERMSIG(st) == SIGSEGV ? "SIGSEGV" : WTERMSIG(st) == SIGKILL ? "SIGKILL" : "other");
}
#endif
