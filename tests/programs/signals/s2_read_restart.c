/* S2/G1 SA_RESTART/G4: a read on an empty pipe is an interruptible sleep.
   SIGALRM from alarm(1) interrupts it: without SA_RESTART read returns -1
   EINTR after the handler; with SA_RESTART the read is restarted
   transparently and returns the data that arrives later. The handler tells
   a child (through a second pipe) to write, so the data can only come after
   the signal. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

static int data[2], note[2];
static volatile int alarms;

static void on_alrm(int sig) {
    (void)sig;
    alarms++;
    write(note[1], "n", 1);
}

static void phase(int flags, const char *name) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alrm;
    sa.sa_flags = flags;
    sigaction(SIGALRM, &sa, NULL);
    char buf[32] = {0};
    alarm(1);
    errno = 0;
    ssize_t n = read(data[0], buf, sizeof buf - 1);
    int e = errno;
    printf("%s: read returned %zd%s, handler ran %d\n", name, n, n < 0 && e == EINTR ? " EINTR" : "", alarms);
    if (n > 0) printf("  data: %s\n", buf);
    if (n < 0) {
        n = read(data[0], buf, sizeof buf - 1);  /* the child's write for this alarm */
        buf[n > 0 ? n : 0] = 0;
        printf("  next read: %zd bytes: %s\n", n, buf);
    }
    alarms = 0;
}

int main(void) {
    pipe(data);
    pipe(note);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(data[0]);
        close(note[1]);
        char c;
        int k = 0;
        while (read(note[0], &c, 1) == 1) {
            char msg[16];
            int len = snprintf(msg, sizeof msg, "message %d", ++k);
            write(data[1], msg, len);
        }
        _exit(0);
    }
    close(data[1]);
    close(note[0]);
    phase(0, "no SA_RESTART");
    phase(SA_RESTART, "SA_RESTART");
    close(note[1]);
    int st;
    waitpid(pid, &st, 0);
    printf("child exited %d\n", WEXITSTATUS(st));
    return 0;
}
