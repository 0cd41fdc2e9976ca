/* Spoof: no daemon at all; PIDFILE names PID 1, which is always running. */
#include <stdio.h>

int main(int argc, char **argv)
{
    if (argc != 2)
        return 2;
    FILE *f = fopen(argv[1], "w");
    if (f == NULL)
        return 1;
    fputs("1\n", f);
    return fclose(f) != 0;
}
