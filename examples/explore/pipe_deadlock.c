/* Two processes, two pipes, and each reads before it writes: the parent
   waits for the child's byte on one pipe, the child for the parent's on the
   other, and neither ever writes. Under every schedule both sleep in read()
   for ever (on the host too: `proclab diff` would stop it at --max-time).
   Each holds the write end it never uses open, so neither read can return 0
   either.
   `proclab explore examples/explore/pipe_deadlock.c`: 1 outcome from 1 run,
   complete: empty stdout, status 124, deadlock, "pid 4 (pipe_deadlock)
   sleeps in read; pid 5 (pipe_deadlock) sleeps in read". One run is enough:
   the two reads touch different pipes, so no other order can make a
   difference. `--json`: {"runs": 1, "complete": true, "outcomes":
   [{"stdout": "", "status": 124, "deadlock": true, ...}]}. */
#include <unistd.h>

int main(void)
{
    int up[2], down[2];
    char c;
    pipe(up);
    pipe(down);
    if (fork() == 0) {
        read(down[0], &c, 1);
        write(up[1], "c", 1);
        _exit(0);
    }
    read(up[0], &c, 1);
    write(down[1], "p", 1);
    return 0;
}
