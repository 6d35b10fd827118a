/* "Sleeping the same time orders nothing": two children each sleep 10 ms,
   then write their number. Neither order is guaranteed, for two reasons
   explore tries both of: which child starts its sleep first decides whose
   timer is first, and Linux lets a timer fire up to the task's timer slack
   (50 us by default) late, so timers that close together end in one
   interrupt, waking both children at once.
   `proclab explore examples/explore/sleep_race.c` finds "01" and "10" and
   nothing else, complete: "01\n" is Linux's own schedule, "10\n" is
   schedule 30.6 (the two sleeps, begun 7 us apart, end in one interrupt,
   and at step 30 the second child, pid 6, runs first). `proclab diff
   --explore` checks the host's runs against them (the host prints "10"
   about one time in four).
   Two optional arguments, SLACK_NS and EXTRA_US, show which reason is at
   work: the parent sets its timer slack (inherited by the children) to
   SLACK_NS when not 0, and the second child sleeps EXTRA_US longer.
   `... sleep_race.c 1 0` still gives both orders (the sleeps may start in
   either order); `... sleep_race.c 0 30` too (30 us apart, within the slack:
   one interrupt); `... sleep_race.c 1 30` only "01". */
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long slack_ns = argc > 1 ? atol(argv[1]) : 0;
    long extra_us = argc > 2 ? atol(argv[2]) : 0;
    if (slack_ns)
        prctl(PR_SET_TIMERSLACK, slack_ns, 0, 0, 0);
    for (int i = 0; i < 2; i++) {
        if (fork() == 0) {
            struct timespec t = {0, 10 * 1000 * 1000 + i * extra_us * 1000};
            nanosleep(&t, 0);
            char digit = '0' + i;
            write(1, &digit, 1);
            _exit(0);
        }
    }
    while (wait(0) > 0)
        ;
    write(1, "\n", 1);
    return 0;
}
