/* Computes forever: only a CPU-time budget can stop it. */
int main(void) { volatile unsigned long n = 0; for (;;) n++; }
