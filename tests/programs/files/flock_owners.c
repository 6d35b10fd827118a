/* flock(2): a lock belongs to the open file description. A forked child
   shares its parent's description (and so its lock); a new open() is another
   owner and conflicts; LOCK_NB says EAGAIN instead of waiting; a blocked
   LOCK_EX is granted when the holder unlocks; the last close drops a lock;
   conversion and bad commands. */
#include <sys/file.h>
#include "files_util.h"

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    enter_tmpdir();
    int fd = open("f", O_CREAT | O_RDWR, 0600);
    SHOW("parent LOCK_EX", flock(fd, LOCK_EX));
    SHOW("again LOCK_EX", flock(fd, LOCK_EX));
    int other = open("f", O_RDONLY);
    SHOW("other owner EX|NB", flock(other, LOCK_EX | LOCK_NB));
    SHOW("other owner SH|NB", flock(other, LOCK_SH | LOCK_NB));
    int dupfd = dup(fd);
    SHOW("dup shares it, UN", flock(dupfd, LOCK_UN));
    SHOW("now other SH|NB", flock(other, LOCK_SH | LOCK_NB));
    SHOW("parent SH|NB too", flock(fd, LOCK_SH | LOCK_NB));
    SHOW("parent EX|NB", flock(fd, LOCK_EX | LOCK_NB));
    SHOW("parent SH again", flock(fd, LOCK_SH | LOCK_NB));   /* the conversion dropped it */
    close(other);                                             /* last close: its SH lock goes */
    SHOW("parent EX|NB after close", flock(fd, LOCK_EX | LOCK_NB));

    int ready[2];
    pipe(ready);
    pid_t child = fork();
    if (child == 0) {
        SHOW("child inherited EX|NB", flock(fd, LOCK_EX | LOCK_NB));
        int own = open("f", O_RDONLY);
        SHOW("child own SH|NB", flock(own, LOCK_SH | LOCK_NB));
        write(ready[1], "r", 1);
        SHOW("child own EX (waits)", flock(own, LOCK_EX));
        printf("child got the lock\n");
        _exit(0);
    }
    char c;
    read(ready[0], &c, 1);
    usleep(100000);
    printf("parent unlocks\n");
    flock(fd, LOCK_UN);
    int st;
    waitpid(child, &st, 0);
    printf("child status %d\n", WEXITSTATUS(st));
    SHOW("bad command", flock(fd, LOCK_SH | LOCK_EX));
    SHOW("zero command", flock(fd, 0));
    SHOW("closed fd", flock(99, LOCK_SH));
    close(dupfd);
    close(fd);
    leave_tmpdir();
    return 0;
}
