/* Spoof: forks nothing; prints a consistent chain of invented PIDs. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    int depth = argc > 1 ? atoi(argv[1]) : 1;
    int parent = (int)getppid(), me = (int)getpid();
    for (int d = 1; d <= depth; d++) {
        printf("depth %d pid %d parent %d\n", d, me + d - 1, d == 1 ? parent : me + d - 2);
        fflush(stdout);
    }
    printf("chain status %d\n", depth - 1);
    return 0;
}
