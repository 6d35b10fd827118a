/* X2 (set_robust_list): set_robust_list takes only the 24-byte head (else
   EINVAL) and get_robust_list returns it (ESRCH for a missing pid). At exit
   the kernel walks the robust list: a robust mutex whose owner died holding
   it is marked OWNER_DIED and its waiter woken, so the next lock returns
   EOWNERDEAD. Shown for a process-shared mutex whose owner process _exits
   and for a thread that ends with a raw SYS_exit (musl's own pthread_exit
   clean-up is bypassed in both cases; musl registers the list with the
   kernel only for process-shared robust mutexes, so both are such). */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct robust_head { void *next; long offset; void *pending; };

static pthread_mutex_t *make_robust(void *where, int pshared)
{
    pthread_mutex_t *m = where;
    pthread_mutexattr_t a;
    pthread_mutexattr_init(&a);
    pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (pshared) pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    pthread_mutex_init(m, &a);
    return m;
}

static const char *name(int r)
{
    return r == 0 ? "0" : r == EOWNERDEAD ? "EOWNERDEAD" : r == ENOTRECOVERABLE ? "ENOTRECOVERABLE" : "other";
}

static pthread_mutex_t tm_storage;
static int ready[2];
static void *dies_holding(void *a)
{
    pthread_mutex_lock((pthread_mutex_t *)a);
    write(ready[1], "l", 1);
    syscall(SYS_exit, 0);                       /* only this thread, no unlock */
    return 0;
}

int main(void)
{
    /* the syscalls themselves, in a child so musl's own list is not disturbed */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        static struct robust_head head = {&head, 0, 0};
        long bad = syscall(SYS_set_robust_list, &head, sizeof head - 1);
        int bad_einval = bad == -1 && errno == EINVAL;
        long ok = syscall(SYS_set_robust_list, &head, sizeof head);
        struct robust_head *got = 0;
        size_t len = 0;
        syscall(SYS_get_robust_list, 0, &got, &len);
        errno = 0;
        long missing = syscall(SYS_get_robust_list, 0x7ffffff0, &got, &len);
        printf("set_robust_list: len 23 EINVAL %d, len 24 returns %ld, get returns it %d (len %zu), missing pid ESRCH %d\n",
               bad_einval, ok, got == &head, len, missing == -1 && errno == ESRCH);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);

    /* a process dies holding a process-shared robust mutex */
    void *page = mmap(0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    pthread_mutex_t *m = make_robust(page, 1);
    pipe(ready);
    char c;
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(m);
        write(ready[1], "l", 1);
        _exit(0);                                 /* no unlock */
    }
    read(ready[0], &c, 1);
    int r = pthread_mutex_lock(m);                /* may sleep until the owner's exit */
    printf("process owner died: lock -> %s\n", name(r));
    int cons = pthread_mutex_consistent(m);
    int unl = pthread_mutex_unlock(m);
    printf("  consistent -> %d, unlock -> %d, lock again -> %s\n", cons, unl, name(pthread_mutex_lock(m)));
    pthread_mutex_unlock(m);
    waitpid(pid, &st, 0);

    /* a thread dies holding a robust mutex */
    pthread_mutex_t *tm = make_robust(&tm_storage, 1);   /* musl leaves private ones to pthread_exit */
    pthread_t t;
    pthread_create(&t, 0, dies_holding, tm);
    read(ready[0], &c, 1);
    r = pthread_mutex_lock(tm);
    printf("thread owner died: lock -> %s\n", name(r));
    cons = pthread_mutex_consistent(tm);
    unl = pthread_mutex_unlock(tm);
    printf("  consistent -> %d, unlock -> %d\n", cons, unl);
    /* an unrecovered mutex becomes unusable */
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        pthread_mutex_lock(m);
        _exit(0);
    }
    waitpid(pid, &st, 0);
    r = pthread_mutex_lock(m);
    printf("owner died again: lock -> %s; unlock without consistent, then lock -> ", name(r));
    pthread_mutex_unlock(m);
    printf("%s\n", name(pthread_mutex_lock(m)));
    return 0;
}
