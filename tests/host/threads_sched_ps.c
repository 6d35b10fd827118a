/* Three threads with scheduling attributes of their own -- the main thread
   as it started, one made SCHED_FIFO 5, one reniced to 4 -- then the host's
   own ps, running on the simulated kernel, lists them from /proc/PID/task.
   Prints "pid fifo_tid nice_tid" first. */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static pthread_barrier_t ready;
static int release[2];
static long tids[2];

static void *fifo_thread(void *arg) {
    struct sched_param param = {.sched_priority = 5};
    tids[0] = syscall(SYS_gettid);
    if (pthread_setschedparam(pthread_self(), SCHED_FIFO, &param) != 0) exit(1);  /* this thread only */
    pthread_barrier_wait(&ready);
    char c;
    read(release[0], &c, 1);
    return arg;
}

static void *nice_thread(void *arg) {
    tids[1] = syscall(SYS_gettid);
    if (setpriority(PRIO_PROCESS, (id_t)tids[1], 4) != 0) exit(1);  /* this thread only */
    pthread_barrier_wait(&ready);
    char c;
    read(release[0], &c, 1);
    return arg;
}

int main(void) {
    pthread_t fifo, nice;
    if (pipe(release) != 0) return 1;
    pthread_barrier_init(&ready, 0, 3);
    pthread_create(&fifo, 0, fifo_thread, 0);
    pthread_create(&nice, 0, nice_thread, 0);
    pthread_barrier_wait(&ready);
    printf("%d %ld %ld\n", getpid(), tids[0], tids[1]);
    fflush(stdout);
    char pid[16];
    snprintf(pid, sizeof pid, "%d", getpid());
    pid_t ps = fork();
    if (ps == 0) {
        execlp("ps", "ps", "-Lo", "pid,tid,psr,ni,cls,rtprio,comm", "-p", pid, (char *)0);
        _exit(127);
    }
    int status;
    waitpid(ps, &status, 0);
    if (write(release[1], "xx", 2) != 2) return 1;
    pthread_join(fifo, 0);
    pthread_join(nice, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
