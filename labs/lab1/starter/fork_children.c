/* fork_children N -- fork N children, then reap every one of them.
 *
 * Contract (one line per event, each written whole with say()):
 *   Child i (1-based, in fork order) prints `child <its pid> parent <its parent's pid>` and
 *   exits with status i. The parent prints `forked <pid>` for each child, in fork order, then
 *   reaps them all, printing `reaped <pid> status <exit code>` for each (the exit code, not the
 *   raw wait status), and exits 0.
 *
 *   $ gcc -std=gnu17 -O2 -Wall -Wextra -o fork_children fork_children.c && ./fork_children 3
 *
 * The grader checks the kernel's view: the PIDs you print must be the children the kernel
 * really created, no child may be left a zombie (PID 1 in the grading container never reaps),
 * and the output must be the same when it goes to a file (./fork_children 3 > out.txt).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_CHILDREN 100

/* Print one line (say("forked %d", (int)pid) adds the newline) and flush it at once.
 *
 * To a terminal, stdout is line-buffered: a line goes out at its newline. To a file or a pipe
 * it is fully buffered: lines wait in the buffer, fork copies the buffer into the child, and
 * both processes write it later. Flushing each line keeps the buffer empty at every fork, and
 * sends each line in one write, so lines of two processes never splice together. */
static void say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    fflush(stdout);
}

static int parse_args(int argc, char **argv)
{
    char *end;
    long n = argc == 2 ? strtol(argv[1], &end, 10) : 0;
    if (argc != 2 || *argv[1] == '\0' || *end != '\0' || n < 1 || n > MAX_CHILDREN) {
        fprintf(stderr, "usage: %s N   (N from 1 to %d)\n", argv[0], MAX_CHILDREN);
        exit(2);
    }
    return (int)n;
}

/* The child's whole life: say who it is and who its parent is, then exit with `position`. */
static void child(int position)
{
    /* TODO: say the child line (getpid, getppid), then leave with _exit(position).
     * Never return from here: the child would carry on round the parent's loop. */
    (void)position;
}

/* Fork n children, saying `forked <pid>` for each, in fork order. */
static void fork_all(int n)
{
    /* TODO: for each position 1..n: fork(); if it returns -1, perror and exit(1); in the
     * child (fork returned 0) call child(); in the parent, say("forked %d", (int)pid). */
    (void)n;
}

/* Wait for every child, saying `reaped <pid> status <exit code>` for each. */
static void reap_all(int n)
{
    /* TODO: one wait(&status) per child (if it returns -1 with errno == EINTR, wait again);
     * decode the status: WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status). */
    (void)n;
}

int main(int argc, char **argv)
{
    int n = parse_args(argc, argv);
    fork_all(n);
    reap_all(n);
    return 0;
}
