/* T1 comm via prctl PR_SET_NAME/PR_GET_NAME (asked for with X4's prctls):
   the initial name is the program file's base name cut to 15 bytes; a set
   name is cut to 15 bytes too; fork copies it; it is per thread (a thread's
   new name leaves the leader's alone); exec sets it to the new file's base
   name again (E2). */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

static char name[32];
static const char *get(void)
{
    memset(name, 0, sizeof name);
    prctl(PR_GET_NAME, name);
    return name;
}

static int is_base_of(const char *path)    /* comm == basename(path)[:15] */
{
    const char *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    char want[16] = {0};
    strncpy(want, base, 15);
    return strcmp(get(), want) == 0;
}

static char thread_name[32];
static void *thread_body(void *a)
{
    (void)a;
    prctl(PR_SET_NAME, "worker");
    prctl(PR_GET_NAME, thread_name);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2) {            /* after exec */
        printf("after exec: name is the file's base name again %d\n", is_base_of(argv[0]));
        return 0;
    }
    printf("initial name is the file's base name (15 bytes at most) %d\n", is_base_of(argv[0]));
    int r = prctl(PR_SET_NAME, "lifecycle-test-name-long");
    get();
    printf("set \"lifecycle-test-name-long\": %d, get \"%s\" (%zu bytes)\n", r, name, strlen(name));
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        printf("fork child's name \"%s\"\n", get());
        fflush(stdout);
        _exit(0);
    }
    int st;
    waitpid(pid, &st, 0);
    pthread_t t;
    pthread_create(&t, 0, thread_body, 0);
    pthread_join(t, 0);
    printf("thread named itself \"%s\", leader still \"%s\"\n", thread_name, get());
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        execl(argv[0], argv[0], "x", (char *)0);
        _exit(127);
    }
    waitpid(pid, &st, 0);
    return 0;
}
