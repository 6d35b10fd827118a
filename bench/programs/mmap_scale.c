/* mmap_scale N M [grow]: map N one-page mappings of alternating rights (N
   VMAs: no two neighbours merge), then M times map one more page below them
   and unmap it again, so that every mmap and munmap meets N mappings; with
   "grow", the M pages are mapped and kept, going on alternating (N to N+M
   VMAs). */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void *map(long i) {
    return mmap(0, 4096, i & 1 ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 1000;
    long m = argc > 2 ? atol(argv[2]) : 1000;
    int grow = argc > 3 && !strcmp(argv[3], "grow");
    for (long i = 0; i < n; i++)
        if (map(i) == MAP_FAILED) return 1;
    for (long i = 0; i < m; i++) {
        void *p = map(grow ? n + i : n);
        if (p == MAP_FAILED || (!grow && munmap(p, 4096))) return 2;
    }
    return 0;
}
