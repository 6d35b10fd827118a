/* The scheduling system calls as root sees them: policies and priority
   ranges, sched_setscheduler/getscheduler/setparam/getparam, their errors,
   SCHED_RESET_ON_FORK, RR's time slice, nice and set/getpriority, affinity
   (SEMANTICS R2; issue 12). */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif

static const char *ename(int e) {
    switch (e) {
    case 0: return "ok";
    case EINVAL: return "EINVAL";
    case EPERM: return "EPERM";
    case ESRCH: return "ESRCH";
    case EFAULT: return "EFAULT";
    case EACCES: return "EACCES";
    default: return "other";
    }
}

/* musl's sched_setscheduler & co. answer ENOSYS (they would act on one
   thread, not the process): call the kernel directly. */
static long setscheduler(pid_t pid, int policy, const struct sched_param *p) {
    return syscall(SYS_sched_setscheduler, pid, policy, p);
}
static long getscheduler(pid_t pid) { return syscall(SYS_sched_getscheduler, pid); }
static long setparam(pid_t pid, const struct sched_param *p) { return syscall(SYS_sched_setparam, pid, p); }
static long getparam(pid_t pid, struct sched_param *p) { return syscall(SYS_sched_getparam, pid, p); }

static void show(const char *what, long r) {
    printf("%-40s %ld %s\n", what, r, r < 0 ? ename(errno) : "");
}

int main(void) {
    int pols[] = {SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, SCHED_IDLE, 4, 7, 8};
    for (unsigned i = 0; i < sizeof pols / sizeof pols[0]; i++) {
        errno = 0;
        long lo = sched_get_priority_min(pols[i]);
        const char *elo = lo < 0 ? ename(errno) : "";
        errno = 0;
        long hi = sched_get_priority_max(pols[i]);
        printf("policy %d: min %ld %s max %ld %s\n", pols[i], lo, elo, hi, hi < 0 ? ename(errno) : "");
    }
    struct sched_param p = {.sched_priority = 10};
    show("getscheduler(0)", getscheduler(0));
    show("setscheduler(FIFO, 0)", (p.sched_priority = 0, setscheduler(0, SCHED_FIFO, &p)));
    show("setscheduler(OTHER, 10)", (p.sched_priority = 10, setscheduler(0, SCHED_OTHER, &p)));
    show("setscheduler(FIFO, 100)", (p.sched_priority = 100, setscheduler(0, SCHED_FIFO, &p)));
    show("setscheduler(policy 4)", (p.sched_priority = 1, setscheduler(0, 4, &p)));
    show("setscheduler(SCHED_EXT)", (p.sched_priority = 0, setscheduler(0, 7, &p)));
    show("setscheduler(pid -1)", setscheduler(-1, SCHED_FIFO, &p));
    show("setscheduler(no such pid)", setscheduler(999999, SCHED_FIFO, &p));
    show("getscheduler(no such pid)", getscheduler(999999));
    show("setscheduler(RR, 20)", (p.sched_priority = 20, setscheduler(0, SCHED_RR, &p)));
    show("getscheduler(0)", getscheduler(0));
    struct sched_param q;
    show("getparam(0)", getparam(0, &q));
    printf("priority %d\n", q.sched_priority);
    struct timespec ts;
    show("rr_get_interval(0)", sched_rr_get_interval(0, &ts));
    printf("rr slice %ld ms\n", ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
    show("setparam(30)", (p.sched_priority = 30, setparam(0, &p)));
    show("getparam(0)", (getparam(0, &q), q.sched_priority));
    show("setparam(0) while RR", (p.sched_priority = 0, setparam(0, &p)));
    show("setscheduler(FIFO|RESET_ON_FORK, 5)",
         (p.sched_priority = 5, setscheduler(0, SCHED_FIFO | SCHED_RESET_ON_FORK, &p)));
    show("getscheduler(0)", getscheduler(0));
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        struct sched_param cq;
        getparam(0, &cq);
        printf("child: policy %ld priority %d\n", getscheduler(0), cq.sched_priority);
        fflush(stdout);
        _exit(0);
    }
    waitpid(c, NULL, 0);
    show("setscheduler(OTHER, 0)", (p.sched_priority = 0, setscheduler(0, SCHED_OTHER, &p)));
    show("setscheduler(BATCH, 0)", setscheduler(0, SCHED_BATCH, &p));
    show("getscheduler(0)", getscheduler(0));
    show("setscheduler(IDLE, 0)", setscheduler(0, SCHED_IDLE, &p));
    show("getscheduler(0)", getscheduler(0));
    show("setscheduler(OTHER, 0)", setscheduler(0, SCHED_OTHER, &p));
    errno = 0;
    show("nice(3)", nice(3));
    errno = 0;
    show("getpriority(PROCESS, 0)", getpriority(PRIO_PROCESS, 0));
    show("setpriority(PROCESS, 0, -4)", setpriority(PRIO_PROCESS, 0, -4));
    errno = 0;
    show("getpriority(PROCESS, 0)", getpriority(PRIO_PROCESS, 0));
    show("setpriority(PROCESS, 0, 99)", setpriority(PRIO_PROCESS, 0, 99));
    errno = 0;
    show("getpriority(PROCESS, 0)", getpriority(PRIO_PROCESS, 0));
    show("setpriority(7, 0, 0)", setpriority(7, 0, 0));
    show("setpriority(PROCESS, no such pid)", setpriority(PRIO_PROCESS, 999999, 0));
    show("setpriority(PROCESS, 0, 0)", setpriority(PRIO_PROCESS, 0, 0));
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(0, &set);
    show("setaffinity({0})", sched_setaffinity(0, sizeof set, &set));
    CPU_ZERO(&set);
    show("getaffinity", sched_getaffinity(0, sizeof set, &set));
    printf("allowed: cpu0 %d count %d\n", (int)CPU_ISSET(0, &set), (int)CPU_COUNT(&set));
    show("getcpu", sched_getcpu());
    CPU_ZERO(&set);
    show("setaffinity({})", sched_setaffinity(0, sizeof set, &set));
    show("sched_yield", sched_yield());
    return 0;
}
