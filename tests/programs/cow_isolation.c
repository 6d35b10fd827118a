/* F6: after fork, a child's writes never show in the parent; the pages the
   child writes are copied (copy-on-write), one copy per page. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#define PAGES 64
static char buf[PAGES * 4096];
int main(void) {
    memset(buf, 'p', sizeof buf);              /* the parent owns every page */
    pid_t pid = fork();
    if (pid == 0) {
        for (int i = 0; i < PAGES; i++) buf[i * 4096] = 'c';
        printf("child sees %c%c\n", buf[0], buf[(PAGES - 1) * 4096]);
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    int changed = 0;
    for (int i = 0; i < PAGES; i++) changed += buf[i * 4096] != 'p';
    printf("parent sees %c%c, pages changed by the child: %d\n", buf[0], buf[(PAGES - 1) * 4096], changed);
    return 0;
}
