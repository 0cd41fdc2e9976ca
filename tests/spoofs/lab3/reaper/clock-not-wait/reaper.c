/* Spoof: real children, invented reports. It never calls wait: it sleeps until each child is
 * due, prints `reaped <pid> status <i>` in due order, and leaves its zombies to init. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    int n = argc - 1;
    pid_t pids[64];
    long due[64];
    if (n > 64)
        n = 64;
    for (int i = 0; i < n; i++) {
        due[i] = atol(argv[i + 1]);
        pids[i] = fork();
        if (pids[i] == 0) {
            usleep((useconds_t)due[i] * 1000);
            _exit((i + 1) % 256);
        }
    }
    long now = 0;
    for (int done = 0; done < n; done++) {
        int next = -1;
        for (int i = 0; i < n; i++)
            if (due[i] >= 0 && (next < 0 || due[i] < due[next]))
                next = i;
        usleep((useconds_t)(due[next] - now) * 1000);
        now = due[next];
        printf("reaped %d status %d\n", (int)pids[next], (next + 1) % 256);
        fflush(stdout);
        due[next] = -1;
    }
    return 0;
}
