/* fork(); fork(); then each of the four processes prints: which ones, and in
   which orders? Each process prints what its two fork() calls returned to it
   (1: it was the child of that fork), so "00" is the original process, "10"
   its first child, "01" its second and "11" the first child's child. Every
   process waits for its own children, so all four lines always appear; their
   order is up to the scheduler.
   write(2), not printf: a printf before a fork would leave the line in each
   child's copy of the stdio buffer (it would be printed twice), and into a
   pipe stdout is flushed only at exit.
   `proclab explore examples/explore/fork_fork.c`: all 4! = 24 orders of the
   four lines, each status 0, from 476 runs (249 more stopped as redundant),
   complete, in a few seconds; Linux's own schedule gives "00 10 01 11"
   (each parent keeps the CPU after fork). `--json`: {"runs": 476,
   "complete": true, "outcomes": [24 of them]}. The host, over 20 runs,
   shows only two or three of them. */
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    char line[3] = { '0', '0', '\n' };
    if (fork() == 0)
        line[0] = '1';
    if (fork() == 0)
        line[1] = '1';
    write(1, line, 3);
    while (wait(0) > 0)
        ;
    return 0;
}
