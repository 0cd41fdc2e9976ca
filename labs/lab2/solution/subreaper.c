/* subreaper.c -- adopt your own grandchild, and reap everything you adopt.
 *
 * Contract:
 *   Become a child subreaper (prctl(PR_SET_CHILD_SUBREAPER)). Fork a child that forks a
 *   grandchild and exits 0 at once. The grandchild waits until it has been adopted (by polling
 *   getppid()), prints `adopted <pid> by <ppid>` and exits 3. Reap both, printing
 *   `reaped <pid> status <exit code>` for each as it is reaped, then exit 0, leaving no zombie.
 *
 * Build: gcc -std=gnu17 -O2 -Wall -Wextra -o subreaper subreaper.c
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
#define POLL_NS 10000000L   /* 10 ms */

static void grandchild(pid_t middle)
{
    /* Same as an orphan waiting for its adopter: only getppid() can tell us. */
    const struct timespec poll = { .tv_sec = 0, .tv_nsec = POLL_NS };
    pid_t ppid;
    while ((ppid = getppid()) == middle)
        nanosleep(&poll, NULL);
    printf("adopted %d by %d\n", (int)getpid(), (int)ppid);
    fflush(stdout);   /* _exit() would drop what stdio still holds */
    _exit(GRANDCHILD_STATUS);
}

static void middle_child(void)
{
    pid_t me = getpid();   /* taken before fork, for the grandchild to compare getppid() with */
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        _exit(1);
    }
    if (pid == 0)
        grandchild(me);
    /* Exit at once without waiting: the grandchild is orphaned, and because our parent is a
     * subreaper, the kernel gives it to our parent instead of to PID 1. */
    _exit(0);
}

/* The exit code as a shell shows it: the status passed to exit, or -N for a death by signal N. */
static int exit_code(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

static int reap_everything(void)
{
    /* wait() takes whichever child ends first: our own, or one we adopted (adopted children are
     * real children). ECHILD means none is left at all. By the time our child is a zombie, the
     * kernel has already handed the grandchild to us, so ECHILD cannot come early. */
    for (;;) {
        int status;
        pid_t pid = wait(&status);
        if (pid < 0) {
            if (errno == EINTR)
                continue;
            if (errno == ECHILD)
                return 0;
            perror("wait");
            return 1;
        }
        printf("reaped %d status %d\n", (int)pid, exit_code(status));
        fflush(stdout);
    }
}

int main(void)
{
    /* Before the fork: the flag must be set by the time the middle child exits. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
        perror("prctl(PR_SET_CHILD_SUBREAPER)");
        return 1;
    }
    fflush(stdout);   /* nothing buffered must be copied into the child */
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0)
        middle_child();
    return reap_everything();
}
