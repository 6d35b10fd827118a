/* Four processes (a parent and three children) write two bytes each:
   8!/(2!^4) = 2520 possible outputs. */
#include <unistd.h>

int main(void)
{
    const char *s[] = {"aA", "bB", "cC", "xX"};
    int i = 0;
    while (i < 3 && fork() != 0)
        i++;
    write(1, s[i], 1);
    write(1, s[i] + 1, 1);
    return 0;
}
