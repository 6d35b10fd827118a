/* G3/G5/G6/X3 with threads: tgkill puts a signal in one thread's pending set
   (only that thread sees it in sigpending; si_code SI_TKILL), kill in the
   shared set (every thread sees it). A process-directed signal goes to a
   thread that does not block it: the handler runs in the second thread. In a
   child process with two threads, SIGSTOP stops the group (reported once),
   SIGCONT resumes it, and a fatal signal raised by the second thread kills the
   whole process. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>

static int cmd[2], ans[2];
static volatile pid_t t_tid, handler_tid;

static void on_hup(int sig) { (void)sig; handler_tid = syscall(SYS_gettid); write(ans[1], "h", 1); }

static char command(char c) {
    write(cmd[1], &c, 1);
    char r;
    read(ans[0], &r, 1);
    return r;
}

static int pending(int sig) {
    sigset_t p;
    sigpending(&p);
    return sigismember(&p, sig);
}

static void *worker(void *arg) {
    (void)arg;
    t_tid = syscall(SYS_gettid);
    char c;
    while (read(cmd[0], &c, 1) == 1) {
        char r = '?';
        if (c == '1') r = '0' + pending(SIGUSR1);
        if (c == '2') r = '0' + pending(SIGUSR2);
        if (c == 'w') {
            sigset_t w;
            siginfo_t si;
            sigemptyset(&w);
            sigaddset(&w, SIGUSR1);
            int s = sigwaitinfo(&w, &si);
            r = s == SIGUSR1 && si.si_code == SI_TKILL ? 'y' : 'n';
        }
        if (c == 'h') {          /* unblock SIGHUP here only, then wait for it */
            sigset_t h;
            sigemptyset(&h);
            sigaddset(&h, SIGHUP);
            pthread_sigmask(SIG_UNBLOCK, &h, NULL);
            continue;            /* the handler answers */
        }
        if (c == 'k') raise(SIGTERM);
        write(ans[1], &r, 1);
    }
    return NULL;
}

int main(void) {
    pipe(cmd);
    pipe(ans);
    signal(SIGHUP, on_hup);
    sigset_t b;
    sigemptyset(&b);
    sigaddset(&b, SIGUSR1);
    sigaddset(&b, SIGUSR2);
    sigaddset(&b, SIGHUP);
    sigprocmask(SIG_BLOCK, &b, NULL);    /* inherited by the thread */
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    command('1');                        /* the worker is running and t_tid is set */
    pid_t me = getpid();

    syscall(SYS_tgkill, me, t_tid, SIGUSR1);
    printf("tgkill(worker, USR1): pending in worker %c, in main %d\n", command('1'), pending(SIGUSR1));
    kill(me, SIGUSR2);
    printf("kill(process, USR2): pending in worker %c, in main %d\n", command('2'), pending(SIGUSR2));
    printf("worker's sigwaitinfo gets USR1 with SI_TKILL: %c\n", command('w'));
    sigset_t w;
    sigemptyset(&w);
    sigaddset(&w, SIGUSR2);
    int s;
    sigwait(&w, &s);
    printf("main's sigwait gets USR2: %d; now pending in worker %c\n", s == SIGUSR2, command('2'));

    write(cmd[1], "h", 1);
    kill(me, SIGHUP);
    char r;
    read(ans[0], &r, 1);
    printf("kill(process, HUP), blocked in main only: handler ran in the worker %d\n", handler_tid == t_tid);
    close(cmd[1]);
    pthread_join(t, NULL);

    pipe(cmd);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        sigprocmask(SIG_UNBLOCK, &b, NULL);
        pthread_create(&t, NULL, worker, NULL);
        for (;;) pause();
    }
    int st;
    command('1');          /* the child's worker is running */
    kill(pid, SIGSTOP);
    waitpid(pid, &st, WUNTRACED);
    printf("threaded child: stopped %d by %d; again %d\n", WIFSTOPPED(st), WSTOPSIG(st), waitpid(pid, &st, WUNTRACED | WNOHANG));
    kill(pid, SIGCONT);
    waitpid(pid, &st, WCONTINUED);
    printf("threaded child: continued %d; worker answers %c\n", WIFCONTINUED(st), command('1'));
    write(cmd[1], "k", 1);
    waitpid(pid, &st, 0);
    printf("worker raised SIGTERM: whole child killed %d by %d\n", WIFSIGNALED(st), WTERMSIG(st));
    return 0;
}
