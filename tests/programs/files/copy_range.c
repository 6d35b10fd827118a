/* copy_file_range(2): copies between regular files from the files' own
   offsets (which move) or from explicit ones (which move instead); stops at
   the end of the input; refuses flags, directories, pipes, an O_APPEND
   output, a read-only output and overlapping ranges of one file. */
#include "files_util.h"

static void show_file(const char *name)
{
    char buf[64] = {0};
    int fd = open(name, O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf - 1);
    printf("%s = \"%s\" (%zd bytes)\n", name, buf, n);
    close(fd);
}

int main(void)
{
    enter_tmpdir();
    int in = open("in", O_CREAT | O_RDWR, 0600);
    write(in, "0123456789", 10);
    lseek(in, 2, SEEK_SET);
    int out = open("out", O_CREAT | O_RDWR | O_TRUNC, 0600);
    SHOW("own offsets", copy_file_range(in, NULL, out, NULL, 3, 0));
    printf("offsets now %ld %ld\n", (long)lseek(in, 0, SEEK_CUR), (long)lseek(out, 0, SEEK_CUR));
    loff_t oi = 7, oo = 10;
    SHOW("explicit offsets", copy_file_range(in, &oi, out, &oo, 100, 0));
    printf("explicit now %ld %ld, own %ld %ld\n", (long)oi, (long)oo, (long)lseek(in, 0, SEEK_CUR),
           (long)lseek(out, 0, SEEK_CUR));
    show_file("out");
    oi = 10;
    SHOW("at the end", copy_file_range(in, &oi, out, NULL, 5, 0));
    SHOW("flags", copy_file_range(in, NULL, out, NULL, 1, 1));
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    SHOW("from a directory", copy_file_range(dir, NULL, out, NULL, 1, 0));
    int p[2];
    pipe(p);
    SHOW("to a pipe", copy_file_range(in, NULL, p[1], NULL, 1, 0));
    int app = open("out", O_WRONLY | O_APPEND);
    SHOW("to O_APPEND", copy_file_range(in, NULL, app, NULL, 1, 0));
    int ro = open("out", O_RDONLY);
    SHOW("to read-only", copy_file_range(in, NULL, ro, NULL, 1, 0));
    loff_t a = 0, b = 2;
    SHOW("overlap", copy_file_range(in, &a, in, &b, 4, 0));
    a = 0, b = 5;
    SHOW("same file apart", copy_file_range(in, &a, in, &b, 5, 0));
    show_file("in");
    SHOW("closed fd", copy_file_range(99, NULL, out, NULL, 1, 0));
    leave_tmpdir();
    return 0;
}
