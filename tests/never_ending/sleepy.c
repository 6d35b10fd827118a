/* Sleeps forever, a second at a time: only a virtual-time budget stops it. */
#include <unistd.h>
int main(void) { for (;;) sleep(1); }
