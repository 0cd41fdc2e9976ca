/* zombie.c -- create exactly one zombie child and keep it.
 *
 * Contract:
 *   Fork a child that exits at once. Once the kernel says the child has exited (never guess by
 *   sleeping), print `zombie <pid>` and wait, without reaping it, until SIGTERM or SIGINT; then
 *   exit with status 0. The zombie is left to our adopter (tini) to reap.
 *
 * Build: gcc -std=gnu17 -O2 -Wall -Wextra -o zombie zombie.c
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: zombie\n");
        return 2;
    }

    /* Block SIGINT and SIGTERM before anything else: a Ctrl-C that arrives early stays
     * pending instead of killing us halfway, and sigwait() below collects it. */
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &stop, NULL) == -1) {
        perror("sigprocmask");
        return 1;
    }

    /* Nothing is buffered yet, but flush anyway: fork copies stdio's buffers into the child. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1) {
        perror("fork");
        return 1;
    }
    if (pid == 0)
        _exit(0);   /* _exit, not exit: the child runs none of the parent's atexit work */

    /* WNOWAIT reports the exit but leaves the child in the process table, still holding its
     * status. A plain waitpid() here would reap it, and there would be no zombie to show. */
    siginfo_t info;
    if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) == -1) {
        perror("waitid");
        return 1;
    }

    /* On a pipe or a file stdout is fully buffered: without fflush the line would sit in
     * our buffer until exit, long after anyone reading it needed it. */
    printf("zombie %d\n", (int)pid);
    fflush(stdout);

    /* The stop signals are blocked, so they wait as pending; sigwait() takes one
     * synchronously. No handler runs, so nothing is interrupted. */
    int sig;
    if (sigwait(&stop, &sig) != 0) {   /* sigwait returns the error number, not -1 */
        fprintf(stderr, "sigwait failed\n");
        return 1;
    }

    /* Exit without waiting for the child: it is reparented to PID 1 (or the nearest
     * subreaper), which reaps it. That is the whole point of the exercise. */
    return 0;
}
