/* I1, E2, issue 5 (the textbook redirection, OSTEP's p4.c): the child
   closes fd 1, so open() of out.txt returns 1 (the lowest free fd), and
   execvp("wc") runs the host's wc (a dynamic program) with its stdout in
   the file; the parent waits and reads the file back. The same with stdin:
   close(0), open the input, exec wc with no argument (`wc < input.txt`),
   output through a file opened with O_APPEND onto fd 1 by dup2. What the
   shell does for `>` and `<`, by hand. */
#include "files_util.h"

static pid_t spawn_wc(int redirect_stdin)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    if (redirect_stdin) {
        close(0);
        if (open("input.txt", O_RDONLY) != 0)
            _exit(100);
        int out = open("out.txt", O_WRONLY | O_APPEND);
        dup2(out, 1);
        close(out);
        char *args[] = {"wc", 0};
        execvp(args[0], args);
    } else {
        close(1);
        if (open("out.txt", O_CREAT | O_WRONLY | O_TRUNC, S_IRWXU) != 1)
            _exit(100);
        char *args[] = {"wc", "input.txt", 0};
        execvp(args[0], args);
    }
    _exit(127);
}

int main(void)
{
    enter_tmpdir();
    put_file("input.txt", "the quick brown fox\njumps over\nthe lazy dog\n");
    pid_t pid = spawn_wc(0);
    printf("wc input.txt > out.txt: %s\n", reap(pid));
    pid = spawn_wc(1);
    printf("wc < input.txt >> out.txt: %s\n", reap(pid));
    char buf[256];
    get_file("out.txt", buf, sizeof buf);
    printf("out.txt:\n%s", buf);
    leave_tmpdir();
    return 0;
}
