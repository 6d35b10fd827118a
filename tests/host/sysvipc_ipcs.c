/* Creates one object of each System V IPC kind, then lets the host's own
   ipcs, running on the simulated kernel, list them (/proc/sysvipc) and
   print the limits (/proc/sys/kernel) and the usage (the *_INFO ctls): a private shared memory segment of
   5000 bytes, mode 0600, attached once with one page touched; a semaphore
   set of key 0x1234 with 3 semaphores, mode 0644; a private message queue,
   mode 0640, holding two messages of 10 bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>

struct msgbuf10 { long mtype; char mtext[10]; };

int main(void) {
    int shmid = shmget(IPC_PRIVATE, 5000, IPC_CREAT | 0600);
    int semid = semget(0x1234, 3, IPC_CREAT | 0644);
    int msqid = msgget(IPC_PRIVATE, IPC_CREAT | 0640);
    if (shmid < 0 || semid < 0 || msqid < 0) { perror("get"); return 1; }
    char *p = shmat(shmid, 0, 0);
    if (p == (char *)-1) { perror("shmat"); return 1; }
    p[0] = 1;
    struct msgbuf10 m = { 1, "123456789" };
    if (msgsnd(msqid, &m, 10, 0) < 0 || msgsnd(msqid, &m, 10, 0) < 0) { perror("msgsnd"); return 1; }
    printf("ids %d %d %d\n", shmid, semid, msqid);
    fflush(stdout);
    if (system("ipcs; ipcs -l; ipcs -u; cat /proc/sysvipc/shm /proc/sysvipc/sem /proc/sysvipc/msg") != 0) return 1;
    shmdt(p);
    shmctl(shmid, IPC_RMID, 0);
    semctl(semid, 0, IPC_RMID);
    msgctl(msqid, IPC_RMID, 0);
    return 0;
}
