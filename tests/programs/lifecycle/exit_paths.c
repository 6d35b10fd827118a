/* X1/X8: every way a process ends, as its parent's wait sees it: return
   from main, exit (atexit handlers run, stdio flushed), _exit (neither),
   SYS_exit_group, SYS_exit in a single-threaded process, an exit code above
   255 (only the low 8 bits count), kill by another process (SIGKILL,
   SIGTERM), a signal sent to itself, and faults the kernel turns into
   SIGSEGV (bad write, and a write to a read-only page), SIGFPE (integer
   division by zero) and SIGILL (ud2); abort() is SIGABRT. Dumps are turned
   off (PR_SET_DUMPABLE 0) so no core flag appears. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void bye(void) { printf("  atexit handler ran\n"); }

static void show(const char *how, int st)
{
    if (WIFEXITED(st)) printf("%-34s exited %d\n", how, WEXITSTATUS(st));
    else if (WIFSIGNALED(st)) printf("%-34s killed by %d, core %d\n", how, WTERMSIG(st), WCOREDUMP(st) != 0);
    else printf("%-34s status %#x\n", how, st);
    fflush(stdout);
}

static volatile int zero = 0;

int main(int argc, char **argv)
{
    (void)argv;
    int st;
    for (int which = 0; which < 13; which++) {
        int p[2];
        pipe(p);
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            prctl(PR_SET_DUMPABLE, 0);
            close(p[1]);
            switch (which) {
            case 0: return 21;                               /* from main */
            case 1: atexit(bye); printf("  (buffered line)\n"); exit(22);
            case 2: atexit(bye); printf("  (never flushed)\n"); _exit(23);
            case 3: syscall(SYS_exit_group, 24); break;
            case 4: syscall(SYS_exit, 25); break;
            case 5: exit(256 + 26);
            case 6: case 7: { char c; read(p[0], &c, 1); _exit(0); }   /* killed by the parent */
            case 8: kill(getpid(), SIGTERM); pause(); break;
            case 9: *(volatile int *)16 = 1; break;
            case 10: { char *ro = mmap(0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
                       *(volatile char *)ro = 1; break; }
            case 11: printf("%d", argc / zero); break;
            case 12: __asm__ volatile("ud2"); break;
            }
            _exit(99);
        }
        close(p[0]);
        if (which == 6) kill(pid, SIGKILL);
        if (which == 7) kill(pid, SIGTERM);
        waitpid(pid, &st, 0);
        close(p[1]);
        static const char *names[] = {
            "return 21 from main", "exit(22)", "_exit(23)", "SYS_exit_group(24)",
            "SYS_exit(25), single thread", "exit(256+26)", "SIGKILL from the parent",
            "SIGTERM from the parent", "SIGTERM to itself", "write to address 16",
            "write to a read-only page", "integer division by zero", "ud2"};
        show(names[which], st);
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_DUMPABLE, 0);
        abort();
    }
    waitpid(pid, &st, 0);
    show("abort()", st);
    return 0;
}
