/* I1, S2, issue 5 (System V semaphores): a semaphore used as a mutex
   between parent and child forces the order of their output; several
   operations apply atomically or not at all; IPC_NOWAIT gives EAGAIN;
   GETNCNT/GETZCNT count the waiters; SEM_UNDO is undone when a child exits
   holding the semaphore (waking the parent waiting for it); semtimedop
   times out with EAGAIN; a waiter gets EIDRM when the set is removed;
   semctl GETVAL/SETVAL/GETALL/SETALL/GETPID/IPC_STAT and their errors. */
#include "ipc_util.h"
#include <sys/sem.h>
#include <time.h>

union semun { int val; struct semid_ds *buf; unsigned short *array; };

static int op(int id, unsigned short num, short o, short flg)
{
    struct sembuf sb = { num, o, flg };
    return semop(id, &sb, 1);
}

int main(void)
{
    int id = semget(IPC_PRIVATE, 3, IPC_CREAT | 0600);
    if (id < 0) { perror("semget"); return 1; }
    struct semid_ds ds;
    semctl(id, 0, IPC_STAT, (union semun){ .buf = &ds });
    printf("new set: nsems %lu mode %o, values %d %d %d\n", (unsigned long)ds.sem_nsems,
           (unsigned)ds.sem_perm.mode & 0777, semctl(id, 0, GETVAL), semctl(id, 1, GETVAL), semctl(id, 2, GETVAL));
    SHOW("semget nsems 0 (private)", semget(IPC_PRIVATE, 0, 0600));
    SHOW("GETVAL semnum 3", semctl(id, 3, GETVAL));
    SHOW("SETVAL 40000", semctl(id, 0, SETVAL, (union semun){ .val = 40000 }));
    SHOW("SETVAL -1", semctl(id, 0, SETVAL, (union semun){ .val = -1 }));
    SHOW("semop sem 3", op(id, 3, 1, 0));
    SHOW("decrement 0 with IPC_NOWAIT", op(id, 0, -1, IPC_NOWAIT));

    /* atomic: +1 on 1 and -1 on 0 cannot happen (0 is 0): nothing changes */
    struct sembuf two[2] = { { 1, 1, 0 }, { 0, -1, IPC_NOWAIT } };
    SHOW("two operations, the second would block", semop(id, two, 2));
    printf("sem 1 unchanged: %d\n", semctl(id, 1, GETVAL));
    unsigned short all[3] = { 1, 5, 0 };
    SHOW("SETALL 1 5 0", semctl(id, 0, SETALL, (union semun){ .array = all }));
    SHOW("two operations now", semop(id, two, 2));
    unsigned short got[3];
    semctl(id, 0, GETALL, (union semun){ .array = got });
    printf("GETALL: %d %d %d, GETPID is me: %d\n", got[0], got[1], got[2], semctl(id, 1, GETPID) == getpid());

    /* mutex: sem 0 = 1 free; parent and child each print three lines inside */
    semctl(id, 0, SETVAL, (union semun){ .val = 1 });
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        op(id, 2, 1, 0);          /* tell the parent we are here */
        op(id, 0, -1, 0);         /* parent holds it: we wait */
        for (int i = 0; i < 3; i++)
            printf("child in the critical section %d\n", i);
        fflush(stdout);
        op(id, 0, 1, 0);
        _exit(0);
    }
    op(id, 0, -1, 0);             /* parent takes it first */
    op(id, 2, -1, 0);             /* the child has started ... */
    while (semctl(id, 0, GETNCNT) != 1)   /* ... and waits for the mutex */
        usleep(1000);
    printf("GETNCNT with the child waiting: %d, GETZCNT: %d\n", semctl(id, 0, GETNCNT), semctl(id, 0, GETZCNT));
    for (int i = 0; i < 3; i++)
        printf("parent in the critical section %d\n", i);
    fflush(stdout);
    op(id, 0, 1, 0);
    int st;
    waitpid(c, &st, 0);
    printf("after the child: sem 0 = %d\n", semctl(id, 0, GETVAL));

    /* SEM_UNDO: the child takes sem 0 and exits holding it */
    fflush(stdout);
    c = fork();
    if (c == 0) {
        op(id, 0, -1, SEM_UNDO);
        printf("child holds it with SEM_UNDO: %d\n", semctl(id, 0, GETVAL));
        fflush(stdout);
        op(id, 2, 1, 0);
        pause();
        _exit(0);
    }
    op(id, 2, -1, 0);
    kill(c, SIGKILL);
    SHOW("parent waits for it: semop", op(id, 0, -1, 0));
    waitpid(c, &st, 0);
    show_status("child", st);
    printf("sem 0 after the parent took it: %d\n", semctl(id, 0, GETVAL));

    struct timespec ts = { 0, 20 * 1000 * 1000 };
    struct sembuf dec = { 0, -1, 0 };
    SHOW("semtimedop 20 ms on an empty semaphore", semtimedop(id, &dec, 1, &ts));

    /* EIDRM: a child waits, the parent removes the set */
    fflush(stdout);
    c = fork();
    if (c == 0) {
        SHOW("child waiting when the set goes", op(id, 0, -1, 0));
        fflush(stdout);
        _exit(0);
    }
    while (semctl(id, 0, GETNCNT) != 1)
        usleep(1000);
    SHOW("IPC_RMID", semctl(id, 0, IPC_RMID));
    waitpid(c, &st, 0);
    SHOW("GETVAL after RMID", semctl(id, 0, GETVAL));
    return 0;
}
