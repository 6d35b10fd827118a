/* M1, issue 5 (MAP_FIXED): a MAP_FIXED mapping at an address already mapped
   replaces what was there: mapping a file over the middle page of an
   anonymous region shows the file in that page and keeps the pages around
   it; mapping anonymous memory over a file mapping shows zeros, and the file
   is unchanged. MAP_FIXED_NOREPLACE over an existing mapping is EEXIST, a
   MAP_FIXED address that is not page-aligned EINVAL. A hint without
   MAP_FIXED is only a hint: over a mapping the kernel picks another place. */
#include <sys/mman.h>
#include "files_util.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

enum { PAGE = 4096 };

int main(void)
{
    enter_tmpdir();
    int fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644);
    static char page[PAGE];
    memset(page, 'F', PAGE);
    write(fd, page, PAGE);

    char *a = mmap(0, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(a, 'a', 3 * PAGE);
    char *f = mmap(a + PAGE, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED, fd, 0);
    printf("file MAP_FIXED over the middle page: at the address asked %d; pages: %c %c %c\n", f == a + PAGE, a[0],
           a[PAGE], a[2 * PAGE]);

    char *s = mmap(0, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *z = mmap(s, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    z[0] = 'z';
    char c;
    pread(fd, &c, 1, 0);
    printf("anonymous MAP_FIXED over a shared file mapping: same address %d, byte 1 is %d, file still %c\n", z == s,
           z[1], c);

    errno = 0;
    char *n = mmap(a, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    printf("MAP_FIXED_NOREPLACE over a mapping: %s, the page still %c\n", n == MAP_FAILED ? ename(errno) : "mapped",
           a[0]);
    errno = 0;
    n = mmap(a + 1, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    printf("MAP_FIXED at an unaligned address: %s\n", n == MAP_FAILED ? ename(errno) : "mapped");
    n = mmap(a, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    printf("a hint over a mapping: placed elsewhere %d, the old page still %c\n", n != a && n != MAP_FAILED, a[0]);
    leave_tmpdir();
    return 0;
}
