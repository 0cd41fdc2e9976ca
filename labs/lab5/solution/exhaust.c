/* exhaust.c: fork children that exit at once and don't reap them, until fork fails; then reap
 * them all.
 *
 * Each child becomes a zombie, and a zombie keeps its PID (and its charge in the pids cgroup)
 * until its parent reaps it, so the zombies use up every free PID and fork fails with EAGAIN.
 */
#define _GNU_SOURCE             /* for strerrorname_np (glibc 2.32 and newer) */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    long forked = 0, reaped = 0;

    for (;;) {
        pid_t pid = fork();
        if (pid == -1) {
            /* errno's symbolic name, "EAGAIN" (strerror would give "Resource temporarily
             * unavailable"); NULL for a number glibc has no name for. */
            const char *name = strerrorname_np(errno);
            printf("fork failed after %ld children: %s\n", forked, name ? name : "unknown");
            break;
        }
        if (pid == 0)
            _exit(0);           /* the child: a zombie until we reap it */
        forked++;
    }

    /* wait() reaps any one child; it fails with ECHILD once there is none left. */
    while (wait(NULL) != -1)
        reaped++;
    if (errno != ECHILD) {
        perror("wait");
        return 1;
    }
    printf("reaped %ld\n", reaped);
    return 0;
}
