/* I1, issue 5 (System V shared memory, removal and errors): IPC_RMID while
   attached keeps the segment (SHM_DEST in its mode, key now IPC_PRIVATE, a
   new shmget of the key creates another one) until the last detach destroys
   it (then IPC_STAT is EINVAL); shmget's errors: size 0 or beyond an existing
   segment EINVAL, IPC_CREAT|IPC_EXCL on an existing key EEXIST, no IPC_CREAT
   ENOENT, mode bits EACCES for another user; shmat: unaligned address EINVAL,
   SHM_RND rounds it, an address that is taken EINVAL; a store into a
   SHM_RDONLY attach kills the child with SIGSEGV. Runs as root on the host
   (the test suite does), dropping to uid 1000 in a child for EACCES. */
#include <sys/mman.h>
#include <sys/shm.h>
#include "ipc_util.h"

int main(void)
{
    key_t key = 0x51500000 | (getpid() & 0xffff);
    SHOW("shmget size 0", shmget(IPC_PRIVATE, 0, 0600));
    SHOW("shmget missing key", shmget(key, 4096, 0600));
    int id = shmget(key, 8192, IPC_CREAT | IPC_EXCL | 0600);
    printf("created with a key: %d\n", id >= 0);
    SHOW("IPC_CREAT|IPC_EXCL again", shmget(key, 8192, IPC_CREAT | IPC_EXCL | 0600));
    printf("same key finds it: %d\n", shmget(key, 100, 0) == id);
    printf("same key, IPC_CREAT: %d\n", shmget(key, 0, IPC_CREAT | 0600) == id);
    SHOW("larger than the segment", shmget(key, 8193, 0));

    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        if (setuid(1000) < 0) { puts("setuid failed"); _exit(1); }
        printf("uid 1000: shmget asking nothing finds it: %d\n", shmget(key, 0, 0) == id);
        SHOW("uid 1000: shmget for reading", shmget(key, 0, 0400));
        SHOW("uid 1000: shmat", (long)shmat(id, NULL, 0));
        SHOW("uid 1000: IPC_STAT", shmctl(id, IPC_STAT, &(struct shmid_ds){0}));
        SHOW("uid 1000: IPC_RMID", shmctl(id, IPC_RMID, NULL));
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(c, &st, 0);

    char *p = shmat(id, NULL, 0);
    SHOW("shmat unaligned", (long)shmat(id, p + 100, 0));
    SHOW("shmat on a taken address", (long)shmat(id, p, 0));
    SHOW("shmat bad id", (long)shmat(-1, NULL, 0));
    /* a free, aligned spot: reserve it with mmap, free it, then attach there */
    char *spot = mmap(NULL, 4 * 4096, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    munmap(spot, 4 * 4096);
    char *r = shmat(id, spot + 4096 + 123, SHM_RND);
    printf("SHM_RND rounds down to the page: %d\n", r == spot + 4096);
    strcpy(p, "hello");
    printf("the rounded attach reads \"%s\"\n", r);
    shmdt(r);

    char *ro = shmat(id, NULL, SHM_RDONLY);
    printf("read-only attach reads \"%s\"\n", ro);
    fflush(stdout);
    c = fork();
    if (c == 0) {
        ro[0] = 'X';
        _exit(0);
    }
    waitpid(c, &st, 0);
    show_status("child storing into SHM_RDONLY", st);
    shmdt(ro);

    struct shmid_ds ds;
    SHOW("IPC_RMID while attached", shmctl(id, IPC_RMID, NULL));
    shmctl(id, IPC_STAT, &ds);
    printf("after RMID: SHM_DEST %d, key private %d, nattch %lu, mode %o\n", !!(ds.shm_perm.mode & SHM_DEST),
           ds.shm_perm.__key == IPC_PRIVATE, (unsigned long)ds.shm_nattch, (unsigned)ds.shm_perm.mode & 0777);
    SHOW("the key is free", shmget(key, 4096, 0600));
    int id2 = shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
    printf("a new segment with the key: %d, different: %d\n", id2 >= 0, id2 != id);
    shmctl(id2, IPC_RMID, NULL);
    printf("still readable: \"%s\"\n", p);
    SHOW("shmdt the last attach", shmdt(p));
    SHOW("IPC_STAT after the last detach", shmctl(id, IPC_STAT, &ds));
    SHOW("IPC_RMID again", shmctl(id, IPC_RMID, NULL));
    return 0;
}
