/* Spoof: forks nothing; prints plausible lines with PIDs that follow its own. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1;
    int me = (int)getpid();
    for (int i = 1; i <= n; i++)
        printf("forked %d\n", me + i);
    for (int i = 1; i <= n; i++)
        printf("child %d parent %d\n", me + i, me);
    for (int i = 1; i <= n; i++)
        printf("reaped %d status %d\n", me + i, i);
    fflush(stdout);
    return 0;
}
