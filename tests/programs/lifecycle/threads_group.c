/* F1/F4/X7: a thread group made by pthread_create (CLONE_THREAD). All threads
   share the tgid (getpid), the parent, pgid and sid; each has its own tid;
   the leader's tid is the tgid; the group shares one signal struct and one
   sighand (a disposition or an rlimit set by one thread is seen by all) and
   the fd table. A thread is not a child: wait on its tid is ECHILD (X7).
   tgkill reaches a live thread and, soon after join, finds none (ESRCH). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define N 4
struct info { pid_t pid, ppid, pgid, sid, tid; int fd; };
static struct info infos[N];
static pthread_barrier_t all_up;

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

static void *body(void *arg)
{
    struct info *i = arg;
    i->pid = getpid();
    i->ppid = getppid();
    i->pgid = getpgrp();
    i->sid = getsid(0);
    i->tid = gettid_();
    if (i == &infos[0]) {
        signal(SIGUSR1, SIG_IGN);                  /* sighand is shared */
        struct rlimit rl = {77, 88};
        setrlimit(RLIMIT_MSGQUEUE, &rl);           /* so is the signal struct */
        int p[2];
        pipe(p);                                   /* and the fd table */
        i->fd = p[0];
    }
    pthread_barrier_wait(&all_up);                 /* everybody alive together */
    pthread_barrier_wait(&all_up);                 /* main has looked */
    return (void *)(long)(i - infos);
}

int main(void)
{
    pthread_t t[N];
    pid_t me = getpid();
    pthread_barrier_init(&all_up, 0, N + 1);
    for (int i = 0; i < N; i++) pthread_create(&t[i], 0, body, &infos[i]);
    pthread_barrier_wait(&all_up);

    int same_pid = 1, same_ppid = 1, same_pg = 1, distinct = 1, not_leader = 1, alive = 1, not_child = 1;
    for (int i = 0; i < N; i++) {
        same_pid &= infos[i].pid == me;
        same_ppid &= infos[i].ppid == getppid();
        same_pg &= infos[i].pgid == getpgrp() && infos[i].sid == getsid(0);
        not_leader &= infos[i].tid != me;
        for (int j = 0; j < i; j++) distinct &= infos[i].tid != infos[j].tid;
        alive &= syscall(SYS_tgkill, me, infos[i].tid, 0) == 0;
        errno = 0;
        not_child &= waitpid(infos[i].tid, 0, __WALL | WNOHANG) == -1 && errno == ECHILD;
    }
    printf("threads: same tgid %d, same parent %d, same pgid/sid %d\n", same_pid, same_ppid, same_pg);
    printf("threads: tids distinct %d, none is the tgid %d, leader's tid is the tgid %d\n",
           distinct, not_leader, gettid_() == me);
    printf("threads: tgkill(sig 0) reaches each %d, none is waitable (ECHILD) %d\n", alive, not_child);
    struct sigaction sa;
    sigaction(SIGUSR1, 0, &sa);
    struct rlimit rl;
    getrlimit(RLIMIT_MSGQUEUE, &rl);
    printf("shared: disposition %d, rlimit %ld/%ld, fd open %d\n", sa.sa_handler == SIG_IGN,
           (long)rl.rlim_cur, (long)rl.rlim_max, fcntl(infos[0].fd, F_GETFD) != -1);
    pthread_barrier_wait(&all_up);

    long sum = 0;
    for (int i = 0; i < N; i++) {
        void *r;
        pthread_join(t[i], &r);
        sum += (long)r;
    }
    int gone = 1;
    for (int i = 0; i < N; i++) {   /* join returns at CLEARTID, a moment before release */
        int tries = 0;
        while (syscall(SYS_tgkill, me, infos[i].tid, 0) == 0 && tries++ < 100000) sched_yield();
        gone &= errno == ESRCH;
    }
    printf("joined: return values sum %ld, tgkill finds none of them %d\n", sum, gone);
    return 0;
}
