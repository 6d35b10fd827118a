"""System V IPC constants and x86-64 structure layouts (include/uapi/linux/ipc.h,
shm.h, sem.h, msg.h; asm-generic/ipcbuf.h, arch/x86/include/uapi/asm/shmbuf.h,
sembuf.h, asm-generic/msgbuf.h)."""

import struct

IPC_PRIVATE = 0
IPC_CREAT = 0o1000
IPC_EXCL = 0o2000
IPC_NOWAIT = 0o4000

IPC_RMID = 0
IPC_SET = 1
IPC_STAT = 2
IPC_INFO = 3

IPCMNI = 32768            # ids per namespace; also SEQ_MULTIPLIER
SEQ_MULTIPLIER = IPCMNI

# shm
SHM_RDONLY = 0o10000
SHM_RND = 0o20000
SHM_REMAP = 0o40000
SHM_EXEC = 0o100000
SHM_DEST = 0o1000         # in shm_perm.mode: destroyed at the last detach
SHM_LOCKED = 0o2000
SHMMIN = 1
SHMMAX = (1 << 64) - 1 - (1 << 24)
SHMALL = (1 << 64) - 1 - (1 << 24)
SHMLBA = 4096
SHMMNI = 4096             # default /proc/sys/kernel/shmmni
SHMSEG = SHMMNI           # attaches per process (unlimited, reported as SHMMNI)
SHM_INFO = 14

# sem
SEM_UNDO = 0x1000
GETPID = 11
GETVAL = 12
GETALL = 13
GETNCNT = 14
GETZCNT = 15
SETVAL = 16
SETALL = 17
SEMMSL = 32000            # semaphores per set
SEMOPM = 500              # operations per semop
SEMVMX = 32767            # largest semaphore value
SEMAEM = SEMVMX           # largest adjust-on-exit value
SEMMNI = 32000            # default number of sets (/proc/sys/kernel/sem, 4th)
SEMMNS = SEMMNI * SEMMSL  # default number of semaphores system-wide (2nd)
SEMMNU = SEMMNS           # undo structures (unused, reported)
SEMMAP = SEMMNS           # entries in the semaphore map (unused, reported)
SEMUME = SEMOPM           # undo entries per process
SEMUSZ = 20               # sizeof(struct sem_undo) as Linux reports it
SEM_INFO = 19

# msg
MSG_NOERROR = 0o10000
MSG_EXCEPT = 0o20000
MSG_COPY = 0o40000
MSGMAX = 8192             # largest message
MSGMNB = 16384            # default queue capacity in bytes
MSGMNI = 32000            # default number of queues (/proc/sys/kernel/msgmni)
MSGPOOL = MSGMNI * MSGMNB // 1024  # message pool size in KiB
MSGMAP = MSGMNB           # entries in the message map
MSGTQL = MSGMNB           # messages system-wide
MSGSSZ = 16               # message segment size
MSGSEG = 0xFFFF           # message segments (capped to an unsigned short)
MSG_INFO = 12

# struct ipc64_perm: key, uid, gid, cuid, cgid, mode, seq (+ padding), 2 unused longs
IPC64_PERM = struct.Struct("<iIIIIIHH4xQQ")
# struct shmid64_ds: perm, segsz, atime, dtime, ctime, cpid, lpid, nattch, 2 unused
SHMID64_DS = struct.Struct("<48sQqqqiiQQQ")
# struct semid64_ds: perm, otime, unused, ctime, unused, nsems, 2 unused
SEMID64_DS = struct.Struct("<48sqQqQQQQ")
# struct msqid64_ds: perm, stime, rtime, ctime, cbytes, qnum, qbytes, lspid, lrpid, 2 unused
MSQID64_DS = struct.Struct("<48sqqqQQQiiQQ")
# struct shminfo64 (IPC_INFO): shmmax, shmmin, shmmni, shmseg, shmall, 4 unused
SHMINFO64 = struct.Struct("<9Q")
# struct shm_info (SHM_INFO): used_ids, shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes
SHM_INFO_S = struct.Struct("<i4x5Q")
# struct seminfo: semmap, semmni, semmns, semmnu, semmsl, semopm, semume, semusz, semvmx, semaem
SEMINFO = struct.Struct("<10i")
# struct msginfo: msgpool, msgmap, msgmax, msgmnb, msgmni, msgssz, msgtql, msgseg (unsigned short)
MSGINFO = struct.Struct("<7iH2x")
# struct sembuf: sem_num (unsigned short), sem_op (short), sem_flg (short)
SEMBUF = struct.Struct("<Hhh")
