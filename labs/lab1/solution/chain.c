/* chain D -- a chain of D processes, each the parent of the next.
 *
 * Contract (one line per event, each written whole and flushed at once):
 *   The first process is depth 1; each process at depth d < D forks one child, at depth d + 1.
 *   Each prints `depth <d> pid <its pid> parent <its parent's pid>`. The deepest exits 0; every
 *   other process waits for its child and exits with the child's exit status + 1, except the
 *   first, which prints `chain status <that number>` (D - 1) and exits 0.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_DEPTH 100

/* Print one line and flush it at once: see fork_children.c. */
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
    long depth = argc == 2 ? strtol(argv[1], &end, 10) : 0;
    if (argc != 2 || *argv[1] == '\0' || *end != '\0' || depth < 1 || depth > MAX_DEPTH) {
        fprintf(stderr, "usage: %s D   (D from 1 to %d)\n", argv[0], MAX_DEPTH);
        exit(2);
    }
    return (int)depth;
}

/* Wait for the child `pid` and return its exit code. */
static int child_status(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) == -1) {
        if (errno != EINTR) {      /* EINTR: a signal handler ran; wait again */
            perror("waitpid");     /* ECHILD: not our child, which cannot happen here */
            exit(1);
        }
    }
    /* A status is an exit code only if WIFEXITED says so; a killed child has none. */
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
    int total = parse_args(argc, argv);
    int depth = 1;
    pid_t child = 0;

    /* Fork down the chain: the parent stays at its depth and waits, the child goes round
     * again one level deeper. The deepest process forks nothing. */
    for (;;) {
        say("depth %d pid %d parent %d", depth, (int)getpid(), (int)getppid());
        if (depth == total)
            break;
        child = fork();
        if (child == -1) {
            perror("fork");
            exit(1);               /* the chain is cut short here; the parent above sees 1 */
        }
        if (child != 0)
            break;
        depth++;
    }

    int code = child == 0 ? 0 : child_status(child) + 1;
    if (depth == 1) {
        say("chain status %d", code);
        return 0;
    }
    /* Every process below the first is a forked child: it leaves with _exit, which sets the
     * status its parent collects without flushing stdio buffers or running atexit handlers
     * that it inherited from the first process. */
    _exit(code);
}
