/* I1 / issue 5 (open flags, write, lseek): O_APPEND. Every write through an
   O_APPEND description first moves its offset to the end of the file, even
   after an lseek back to 0, so two independent O_APPEND opens never overwrite
   each other, while a plain O_WRONLY open writes at its own offset. A read
   through O_RDWR|O_APPEND reads at the offset lseek set. On Linux, pwrite on
   an O_APPEND fd appends too (the offset argument is ignored; a documented
   bug). A parent and a forked child appending through their own opens keep
   every record. */
#include "files_util.h"

int main(void)
{
    enter_tmpdir();
    char buf[128];
    put_file("log", "start\n");

    int a = open("log", O_WRONLY | O_APPEND);
    lseek(a, 0, SEEK_SET);
    write(a, "one\n", 4);
    printf("after lseek(0) and write: offset %ld\n", (long)lseek(a, 0, SEEK_CUR));
    int b = open("log", O_WRONLY | O_APPEND);
    write(b, "two\n", 4);
    write(a, "three\n", 6);
    get_file("log", buf, sizeof buf);
    printf("two O_APPEND opens: [%s]\n", buf);

    int plain = open("log", O_WRONLY);
    write(plain, "START", 5);
    get_file("log", buf, sizeof buf);
    printf("plain open writes at 0: [%s]\n", buf);

    SHOW("pwrite at offset 0 on O_APPEND", pwrite(a, "four\n", 5, 0));
    get_file("log", buf, sizeof buf);
    printf("pwrite appended: [%s]\n", buf);

    int rw = open("log", O_RDWR | O_APPEND);
    lseek(rw, 6, SEEK_SET);
    memset(buf, 0, sizeof buf);
    read(rw, buf, 3);
    printf("O_RDWR|O_APPEND reads at offset 6: \"%s\", offset %ld\n", buf, (long)lseek(rw, 0, SEEK_CUR));
    write(rw, "five\n", 5);
    printf("then a write moves it to the end: %ld\n", (long)lseek(rw, 0, SEEK_CUR));

    /* parent and child appending */
    int p = open("both", O_WRONLY | O_CREAT | O_APPEND, 0644);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int c = open("both", O_WRONLY | O_APPEND);
        for (int i = 0; i < 50; i++)
            write(c, "c", 1);
        _exit(0);
    }
    for (int i = 0; i < 50; i++)
        write(p, "p", 1);
    reap(pid);
    struct stat sb;
    fstat(p, &sb);
    long ps = 0, cs = 0;
    int fd = open("both", O_RDONLY);
    char c;
    while (read(fd, &c, 1) == 1)
        c == 'p' ? ps++ : cs++;
    printf("parent and child appended: size %ld, %ld p, %ld c\n", (long)sb.st_size, ps, cs);
    leave_tmpdir();
    return 0;
}
