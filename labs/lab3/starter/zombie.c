/* zombie.c -- create exactly one zombie child and keep it.
 *
 * Contract:
 *   Fork a child that exits at once (with _exit). Once the kernel says the child is a zombie
 *   -- waitid(P_PID, pid, &info, WEXITED | WNOWAIT); not by sleeping, and not by a pipe's EOF,
 *   which comes while the child is still exiting -- print `zombie <pid>` (and fflush(stdout))
 *   and wait, WITHOUT reaping the child, until SIGTERM or SIGINT arrives; then exit with
 *   status 0.
 *
 * The grader checks in /proc that <pid> is in state Z and is this program's child, that there
 * is still exactly one zombie child half a second later, then presses Ctrl-C and checks that
 * the program exited 0 and that the zombie is gone (reaped by its adopter).
 *
 * Build and run: gcc -std=gnu17 -O2 -Wall -Wextra -o zombie zombie.c && ./zombie
 * Read: man 2 fork, man 2 waitid, man 2 sigprocmask, man 3 sigwait
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* Make sure SIGINT and SIGTERM can't end the program before it is ready for them. */
static void block_stop_signals(sigset_t *stop)
{
    sigemptyset(stop);
    sigaddset(stop, SIGINT);
    sigaddset(stop, SIGTERM);
    /* TODO: before the fork, so no Ctrl-C can come too early: sigprocmask(SIG_BLOCK, ...).
     * Check its return value. */
}

/* Fork a child that exits at once. Returns the child's PID (in the parent). */
static pid_t spawn_dying_child(void)
{
    /* TODO: fflush(stdout), then fork(); in the child, _exit(0) straight away. */
    return -1;
}

/* Return once the kernel reports that `pid` has exited, leaving it a zombie. */
static void wait_for_death_without_reaping(pid_t pid)
{
    (void)pid;
    /* TODO: ask the kernel. A plain waitpid() would reap the child: there would be no zombie. */
}

/* Return when SIGINT (Ctrl-C) or SIGTERM arrives, without dying of it. */
static void wait_for_stop_signal(const sigset_t *stop)
{
    (void)stop;
    /* TODO: take one of the signals blocked at the start (sigwait). Whatever you do, the
     * exit status must be 0. */
}

int main(int argc, char *argv[])
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: zombie\n");
        return 2;
    }
    sigset_t stop;
    block_stop_signals(&stop);
    pid_t pid = spawn_dying_child();
    wait_for_death_without_reaping(pid);
    /* TODO: printf("zombie %d\n", (int)pid); then fflush(stdout), once the child really is a
     * zombie. */
    wait_for_stop_signal(&stop);
    return 0;
}
