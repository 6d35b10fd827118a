/* F6: copy-on-write in both directions: after fork neither side sees the
   other's writes to private memory (globals, heap, a private mapping), written
   before or after the other looked; a MAP_SHARED mapping stays shared. Each
   first write by the child to a shared private page is a page fault it is
   charged for (minor faults grow by at least the number of pages). */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGES 32
static char global[PAGES * 4096];

static long minflt(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}

int main(void)
{
    char *heap = malloc(PAGES * 4096);
    char *priv = mmap(0, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *shared = mmap(0, PAGES * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(global, 'p', sizeof global);
    memset(heap, 'p', PAGES * 4096);
    memset(priv, 'p', PAGES * 4096);
    memset(shared, 'p', PAGES * 4096);
    int to_child[2], to_parent[2];
    pipe(to_child);
    pipe(to_parent);
    char c;

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        long before = minflt();
        for (int i = 0; i < PAGES; i++) {
            global[i * 4096] = 'c';
            heap[i * 4096] = 'c';
            priv[i * 4096] = 'c';
            shared[i * 4096] = 'c';
        }
        long faults = minflt() - before;
        write(to_parent[1], "w", 1);      /* our writes are done */
        read(to_child[0], &c, 1);          /* wait for the parent's writes */
        int g = 0, h = 0, m = 0;
        for (int i = 0; i < PAGES; i++) {
            g += global[i * 4096 + 1] == 'P';
            h += heap[i * 4096 + 1] == 'P';
            m += priv[i * 4096 + 1] == 'P';
        }
        printf("child: pages where the parent's later write shows: global %d heap %d mmap %d\n", g, h, m);
        printf("child: faults for its %d first writes to private pages >= %d: %d\n",
               3 * PAGES, 3 * PAGES, faults >= 3 * PAGES);
        printf("child: its own writes kept: %c%c%c\n", global[0], heap[0], priv[0]);
        fflush(stdout);
        _exit(0);
    }
    read(to_parent[0], &c, 1);
    int g = 0, h = 0, m = 0, s = 0;
    for (int i = 0; i < PAGES; i++) {
        g += global[i * 4096] == 'c';
        h += heap[i * 4096] == 'c';
        m += priv[i * 4096] == 'c';
        s += shared[i * 4096] == 'c';
        global[i * 4096 + 1] = heap[i * 4096 + 1] = priv[i * 4096 + 1] = 'P';
    }
    printf("parent: pages where the child's write shows: global %d heap %d mmap %d shared %d\n", g, h, m, s);
    fflush(stdout);
    write(to_child[1], "g", 1);
    int st;
    waitpid(pid, &st, 0);
    /* after the child is gone the parent's pages are its own again */
    for (int i = 0; i < PAGES; i++) global[i * 4096] = 'q';
    printf("parent: after the child exits: %c %c, child status %d\n", global[0], global[4096 * (PAGES - 1) + 1],
           WEXITSTATUS(st));
    return 0;
}
