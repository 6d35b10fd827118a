/* Waits for data that can never come: it holds the pipe's write end itself. */
#include <unistd.h>
int main(void) { int fd[2]; char c; pipe(fd); read(fd[0], &c, 1); return 0; }
