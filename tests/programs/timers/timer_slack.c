/* Timer slack (prctl PR_SET_TIMERSLACK): 50 us by default, inherited by a
   child, whose default becomes the slack its parent had at fork; 0 restores
   the default. A sleep never ends before its time. */
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(void) {
    printf("default %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    prctl(PR_SET_TIMERSLACK, 1000, 0, 0, 0);
    printf("set %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        printf("child inherits %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
        prctl(PR_SET_TIMERSLACK, 777777, 0, 0, 0);
        printf("child set %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
        prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);
        printf("child reset to %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
        fflush(stdout);
        _exit(0);
    }
    waitpid(pid, 0, 0);
    prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0);
    printf("parent reset to %d\n", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
    for (int i = 0; i < 3; i++) {
        struct timespec req = {0, 200000};
        long long start = now_ns();
        nanosleep(&req, 0);
        long long slept = now_ns() - start;
        printf("slept at least 200 us: %s\n", slept >= 200000 ? "yes" : "no");
    }
    return 0;
}
