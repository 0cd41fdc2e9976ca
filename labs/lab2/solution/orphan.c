/* orphan.c -- make an orphan and let it find out who adopted it.
 *
 * Contract:
 *   The parent forks one child, prints `parent <pid> child <cpid>` and exits 0 without waiting
 *   for it. The child notices that it has been reparented by polling getppid() (never by
 *   sleeping a fixed time), then prints `adopted <pid> by <ppid>`, where <ppid> is its new
 *   parent, and exits 0 -- within 1 s of the parent's exit.
 *
 * Build: gcc -std=gnu17 -O2 -Wall -Wextra -o orphan orphan.c
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define POLL_NS 10000000L   /* 10 ms between two questions */

/* Return the PID of our new parent once `parent` is no longer it. */
static pid_t wait_until_orphaned(pid_t parent)
{
    /* The kernel changes our parent the moment the old one exits, and tells us nothing: no
     * signal, no event. getppid() is cheap, so ask it again and again. A fixed sleep would only
     * guess how long the parent lives. */
    const struct timespec poll = { .tv_sec = 0, .tv_nsec = POLL_NS };
    pid_t ppid;
    while ((ppid = getppid()) == parent)
        nanosleep(&poll, NULL);   /* an early wake-up (EINTR) only means we ask sooner */
    /* Report the PID we just read, not a fresh getppid(): had this adopter exited in between,
     * a second call would name a different process from the one we compared. */
    return ppid;
}

static void child(pid_t parent)
{
    pid_t adopter = wait_until_orphaned(parent);
    printf("adopted %d by %d\n", (int)getpid(), (int)adopter);
    /* stdout is fully buffered when it is a pipe or a file, and _exit() does not flush stdio:
     * flush by hand, or the line is lost. */
    fflush(stdout);
    /* _exit: a forked child must never run the parent's atexit handlers. */
    _exit(0);
}

int main(void)
{
    /* The parent's PID, taken before fork: the child compares getppid() with it. Reading
     * getppid() in the child instead would race with the parent's exit. */
    pid_t parent = getpid();
    /* Nothing is buffered yet, but flushing before fork is the habit that keeps a line from
     * being written twice (once from each copy of the buffer). */
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0)
        child(parent);
    printf("parent %d child %d\n", (int)parent, (int)pid);
    fflush(stdout);
    /* No wait(): returning now orphans the child, and the kernel hands it to an adopter. */
    return 0;
}
