/* I1, F6, issue 5 (System V shared memory): a segment attached before fork
   is the same memory in parent and child (a counter both increment, a child
   store the parent reads); shm_nattch counts attaches (fork adds one, shmdt
   and exit remove one); a second shmat of the same segment is a second
   mapping of the same frames; shmdt of an address that is not an attach is
   EINVAL; IPC_STAT shows size, mode, creator and last pid. */
#include <sys/shm.h>
#include "ipc_util.h"

static long nattch(int id)
{
    struct shmid_ds ds;
    if (shmctl(id, IPC_STAT, &ds) < 0)
        return -1;
    return (long)ds.shm_nattch;
}

int main(void)
{
    int id = shmget(IPC_PRIVATE, 10000, IPC_CREAT | 0600);
    if (id < 0) { perror("shmget"); return 1; }
    struct shmid_ds ds;
    shmctl(id, IPC_STAT, &ds);
    printf("new: size %zu mode %o nattch %lu cpid is me %d lpid %d\n", (size_t)ds.shm_segsz,
           (unsigned)ds.shm_perm.mode & 0777, (unsigned long)ds.shm_nattch, ds.shm_cpid == getpid(), ds.shm_lpid);
    volatile int *p = shmat(id, NULL, 0);
    printf("shmat: %s, memory starts zeroed: %d, nattch %ld\n", p == (void *)-1 ? "failed" : "ok", p[0] + p[2000], nattch(id));
    shmctl(id, IPC_STAT, &ds);
    printf("lpid is me after shmat: %d\n", ds.shm_lpid == getpid());
    char *q = shmat(id, NULL, SHM_RDONLY);
    p[1] = 41;
    printf("second attach sees the first one's store: %d, nattch %ld\n", ((int *)q)[1], nattch(id));
    SHOW("shmdt(q + 4096)", shmdt(q + 4096));
    SHOW("shmdt(q)", shmdt(q));
    SHOW("shmdt(q) again", shmdt(q));
    printf("nattch %ld\n", nattch(id));

    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        printf("child: nattch %ld, sees %d\n", nattch(id), p[1]);
        for (int i = 0; i < 1000; i++)
            p[0]++;
        p[2000] = 7;
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);
    printf("parent after the child exited: counter %d, child's store %d, nattch %ld\n", p[0], p[2000], nattch(id));
    for (int i = 0; i < 1000; i++)
        p[0]++;
    printf("counter %d\n", p[0]);
    SHOW("shmdt(p)", shmdt((void *)p));
    printf("nattch %ld\n", nattch(id));
    SHOW("IPC_RMID", shmctl(id, IPC_RMID, NULL));
    SHOW("IPC_STAT after RMID", shmctl(id, IPC_STAT, &ds));
    return 0;
}
