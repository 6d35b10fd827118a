/* The parent/child print race: after fork() both processes are runnable and
   nothing orders their writes, so "parent" and "child" may come out in
   either order. The parent waits for the child, so both lines always appear.
   write(2), not printf: into a pipe or a file stdout is fully buffered, and
   the line would go out at exit instead of here.
   `proclab explore examples/explore/race_print.c` finds both orders and
   nothing else: 2 outcomes from 3 runs (2 more stopped as redundant),
   complete. "parent\nchild\n" is Linux's own schedule (the parent keeps the
   CPU after fork), "child\nparent\n" is schedule 15.5 (at step 15 run pid
   5, the child); `--json` says {"runs": 3, "complete": true, ...} with those
   two outcomes, status 0, no deadlock. `proclab diff --explore` checks the
   host's runs against them (the host nearly always prints the parent first). */
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        write(1, "child\n", 6);
        _exit(0);
    }
    write(1, "parent\n", 7);
    waitpid(pid, 0, 0);
    return 0;
}
