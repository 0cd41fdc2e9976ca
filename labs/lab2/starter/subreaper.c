/* subreaper.c -- adopt your own grandchild, and reap everything you adopt.
 *
 * Contract:
 *   Become a child subreaper (prctl(PR_SET_CHILD_SUBREAPER)). Fork a child that forks a
 *   grandchild and exits 0 at once. The grandchild waits until it has been adopted (by polling
 *   getppid()), prints `adopted <pid> by <ppid>` and exits 3. Reap both, printing
 *   `reaped <pid> status <exit code>` for each as it is reaped, then exit 0, leaving no zombie.
 *
 * The grader stops subreaper (SIGSTOP) while its family runs, to read from /proc who adopted
 * the grandchild and what status its zombie holds, then lets it go on (SIGCONT). It also runs
 * it once with stdout on a file instead of the terminal.
 *
 * Build: gcc -std=gnu17 -O2 -Wall -Wextra -o subreaper subreaper.c && ./subreaper
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define GRANDCHILD_STATUS 3
#define POLL_NS 10000000L   /* 10 ms, for nanosleep */

/* Wait until `middle` is no longer our parent, say who adopted us, exit 3. */
static void grandchild(pid_t middle)
{
    /* TODO */
    (void)middle;
    _exit(GRANDCHILD_STATUS);
}

/* Fork the grandchild and exit 0 at once, without waiting for it. */
static void middle_child(void)
{
    /* TODO: the grandchild needs this process's PID to compare getppid() with. */
    (void)grandchild;
    _exit(0);
}

/* Reap every child, our own and adopted ones, printing a reaped line for each; 0 when none
 * is left. */
static int reap_everything(void)
{
    /* TODO: wait() until it fails with errno ECHILD (no children left at all); print each
     * exit code as WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status). */
    return 0;
}

int main(void)
{
    /* TODO: prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); it returns -1 on failure (perror). */
    /* TODO: fork the middle child (it runs middle_child()), then reap everything. */
    (void)middle_child;
    return reap_everything();
}
