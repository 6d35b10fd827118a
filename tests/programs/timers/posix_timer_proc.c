/* /proc/PID/timers lists the process's POSIX timers, the newest first: id,
   signal and value, how it notifies (and whom: the process, or one thread),
   and the clock -- CLOCK_PROCESS_CPUTIME_ID shows as its encoded CPU clock
   id. A deleted timer is gone from the list; a child of fork has none. The
   program prints the file with its own pid written as SELF. */
#include "timer_util.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/wait.h>

static void show_timers(const char *title) {
    char buf[4096], pidtag[32], tidtag[32];
    int fd = open("/proc/self/timers", O_RDONLY);
    ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0) close(fd);
    printf("%s:\n", title);
    if (n < 0) {
        printf("  (unreadable)\n");
        return;
    }
    buf[n] = 0;
    snprintf(pidtag, sizeof pidtag, "pid.%d\n", getpid());
    snprintf(tidtag, sizeof tidtag, "tid.%d\n", getpid());
    for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
        char with_nl[256];
        snprintf(with_nl, sizeof with_nl, "%s\n", line);
        char *tag = strstr(with_nl, pidtag) ? strstr(with_nl, pidtag) : strstr(with_nl, tidtag);
        if (tag) strcpy(tag + 4, "SELF\n");
        printf("  %s", with_nl);
    }
}

int main(void) {
    show_timers("no timers");
    timer_t a, b, c, d;
    timer_create(CLOCK_REALTIME, NULL, &a);
    struct sigevent sev = signal_event(SIGRTMIN + 2, 255);
    timer_create(CLOCK_MONOTONIC, &sev, &b);
    sev.sigev_notify = SIGEV_NONE;
    timer_create(CLOCK_BOOTTIME, &sev, &c);
    sev = signal_event(SIGUSR2, 3);
    sev.sigev_notify = SIGEV_THREAD_ID;
    sev.sigev_notify_thread_id = getpid();
    timer_create(CLOCK_PROCESS_CPUTIME_ID, &sev, &d);
    show_timers("four timers");
    timer_delete(b);
    show_timers("the second deleted");
    fflush(stdout);
    if (fork() == 0) {
        show_timers("in a fork child");
        exit(0);
    }
    wait(NULL);
    return 0;
}
