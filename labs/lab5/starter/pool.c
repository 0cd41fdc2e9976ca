/* pool.c TASKS: run TASKS tasks as child processes, as many at once as the pids limit allows.
 *
 * Task i is a child that sleeps 20 ms, then exits with status i % 256. When fork fails with
 * EAGAIN, wait for a child to end, then try again. Check each child's status: for a wrong one
 * print "task <i> exited with <code>". When all have ended as they should, print "done TASKS"
 * and exit 0; otherwise print "<k> of TASKS tasks failed" and exit 1. See the handout,
 * exercise 3.
 *
 * Build and run: gcc -std=gnu17 -O2 -Wall -Wextra -o pool pool.c && ./pool 2000
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s TASKS\n", argv[0]);
        return 2;
    }
    long tasks = strtol(argv[1], NULL, 10);
    /* TODO */
    (void)tasks;
    return 0;
}
