/* X8/X6: reaping adds the child's usage to the parent's RUSAGE_CHILDREN,
   including what the child had collected from its own reaped children; a
   zombie not yet reaped adds nothing. wait4's rusage is the child's own plus
   its children's, so RUSAGE_CHILDREN ends as exactly the sum of what wait4
   returned (checked on minor faults; CPU time only as >=). Runs in a fresh
   child so the sums start at 0 (F2/F5: accounting starts empty). */
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void touch(int pages)
{
    char *m = mmap(0, pages * 4096L, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    for (int i = 0; i < pages; i++) m[i * 4096L] = 1;
}

static long us(struct timeval tv) { return tv.tv_sec * 1000000L + tv.tv_usec; }

int main(void)
{
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        struct rusage kids, r1, r2;
        getrusage(RUSAGE_CHILDREN, &kids);
        printf("fresh process: children's minflt %ld, utime 0 %d\n", kids.ru_minflt, us(kids.ru_utime) == 0);

        fflush(stdout);
        pid_t k1 = fork();
        if (k1 == 0) {
            touch(200);
            for (volatile long i = 0; i < 20000000; i++) {}
            _exit(0);
        }
        fflush(stdout);
        pid_t k2 = fork();
        if (k2 == 0) {
            pid_t g = fork();
            if (g == 0) {
                touch(300);
                _exit(0);
            }
            waitpid(g, 0, 0);
            _exit(0);
        }
        siginfo_t si;
        waitid(P_PID, k1, &si, WEXITED | WNOWAIT);
        waitid(P_PID, k2, &si, WEXITED | WNOWAIT);
        getrusage(RUSAGE_CHILDREN, &kids);
        printf("two zombies, none reaped: children's minflt %ld\n", kids.ru_minflt);

        wait4(k1, 0, 0, &r1);
        getrusage(RUSAGE_CHILDREN, &kids);
        printf("k1 reaped: its minflt >= 200 %d, children's minflt == k1's %d, children's utime >= k1's %d\n",
               r1.ru_minflt >= 200, kids.ru_minflt == r1.ru_minflt, us(kids.ru_utime) >= us(r1.ru_utime));
        wait4(k2, 0, 0, &r2);
        getrusage(RUSAGE_CHILDREN, &kids);
        printf("k2 reaped: its minflt includes its child's 300 %d, children's minflt == k1's + k2's %d\n",
               r2.ru_minflt >= 300, kids.ru_minflt == r1.ru_minflt + r2.ru_minflt);
        struct rusage self;
        getrusage(RUSAGE_SELF, &self);
        printf("own minflt stays below the children's %d\n", self.ru_minflt < kids.ru_minflt);
        fflush(stdout);
        _exit(0);
    }
    struct rusage rc;
    wait4(c, 0, 0, &rc);
    struct rusage kids;
    getrusage(RUSAGE_CHILDREN, &kids);
    printf("top: grandchildren's faults came up through C: %d\n", kids.ru_minflt >= 500 && rc.ru_minflt >= 500);
    return 0;
}
