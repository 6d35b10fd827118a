/* vm.max_map_count: mmap fails with ENOMEM once the VMAs (as Linux counts
   them: adjacent compatible mappings merged) pass the limit; a split that
   would make one VMA more fails at the limit (mprotect, munmap of a hole),
   a merge or a cut at an edge does not. The limit is set low through
   /proc/sys/vm/max_map_count and the old value is put back at the end, by
   the parent of the process that tests (this also runs as root on the host). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIMIT 1000
#define PG 4096

static char buf[1 << 20];

static int write_file(const char *path, const char *text) {
    int fd = open(path, O_WRONLY);
    if (fd < 0) return -errno;
    int r = write(fd, text, strlen(text)) < 0 ? -errno : 0;
    close(fd);
    return r;
}

static long read_file(const char *path) {
    int fd = open(path, O_RDONLY);
    if (fd < 0) return -1;
    long n = 0, r;
    while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
    close(fd);
    buf[n] = 0;
    return n;
}

/* VMAs of this process: lines of /proc/self/maps but [vsyscall], which is
   not a VMA. */
static int vmas(void) {
    long n = read_file("/proc/self/maps");
    int count = 0;
    for (char *line = buf; line < buf + n; ) {
        char *nl = strchr(line, '\n');
        if (!nl) break;
        *nl = 0;
        if (!strstr(line, "[vsyscall]")) count++;
        line = nl + 1;
    }
    return count;
}

static const char *err(int r) { return r == 0 ? "ok" : strerror(errno); }

/* What happens at the limit; run in a child, so that the parent puts the
   old limit back whatever becomes of it. */
static void at_the_limit(void) {
    /* Merging: pages of the same rights mapped one by one make one VMA. */
    int before = vmas();
    char *merged = 0;
    for (int i = 0; i < 8; i++) merged = mmap(0, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("8 like pages: %d more VMA\n", vmas() - before);
    munmap(merged, 8 * PG);

    /* rights of its own: no neighbour merges with it */
    char *three = mmap(0, 3 * PG, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *last = 0;
    int maps = 0;
    for (;;) {
        char *p = mmap(0, PG, maps & 1 ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            printf("mmap failed: %s\n", strerror(errno));
            break;
        }
        last = p;
        maps++;
    }
    printf("VMAs at the limit: %d\n", vmas());
    int r = mprotect(three + PG, PG, PROT_READ);
    printf("mprotect inside a VMA: %s, VMAs %d\n", err(r), vmas());
    r = munmap(three + PG, PG);
    printf("munmap inside a VMA: %s, VMAs %d\n", err(r), vmas());
    r = munmap(three, PG);
    printf("munmap at an edge: %s, VMAs %d\n", err(r), vmas());
    r = mprotect(three + PG, PG, PROT_READ);
    printf("mprotect at an edge: %s, VMAs %d\n", err(r), vmas());
    /* the page above the last one mapped takes the rights of its two
       neighbours: the three become one VMA */
    r = mprotect(last + PG, PG, (maps - 1) & 1 ? PROT_READ : PROT_READ | PROT_WRITE);
    printf("mprotect merging three: %s, VMAs %d\n", err(r), vmas());
    char *p = mmap(0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("mmap after the merge: %s, VMAs %d\n", p == MAP_FAILED ? strerror(errno) : "ok", vmas());
    for (int i = 0; i < 2; i++) {
        p = mmap(0, PG, PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        printf("mmap again: %s, VMAs %d\n", p == MAP_FAILED ? strerror(errno) : "ok", vmas());
    }
}

int main(void) {
    char old[64];
    if (read_file("/proc/sys/vm/max_map_count") < 0) return 1;
    snprintf(old, sizeof old, "%s", buf);
    printf("bad values: %d %d\n", write_file("/proc/sys/vm/max_map_count", "-1"),
           write_file("/proc/sys/vm/max_map_count", "many"));
    char text[16];
    snprintf(text, sizeof text, "%d\n", LIMIT);
    if (write_file("/proc/sys/vm/max_map_count", text)) return 1;
    read_file("/proc/sys/vm/max_map_count");
    printf("max_map_count now %s", buf);

    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        at_the_limit();
        fflush(stdout);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    printf("child: %s\n", status == 0 ? "done" : "died");
    if (write_file("/proc/sys/vm/max_map_count", old)) return 1;
    read_file("/proc/sys/vm/max_map_count");
    printf("restored: %s", strcmp(buf, old) ? "no\n" : "yes\n");
    return 0;
}
