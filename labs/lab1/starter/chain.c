/* chain D -- a chain of D processes, each the parent of the next.
 *
 * Contract (one line per event, each written whole with say()):
 *   The first process is depth 1; each process at depth d < D forks one child, at depth d + 1.
 *   Each prints `depth <d> pid <its pid> parent <its parent's pid>`. The deepest exits 0; every
 *   other process waits for its child and exits with the child's exit status + 1, except the
 *   first, which prints `chain status <that number>` (D - 1) and exits 0.
 *
 *   $ gcc -std=gnu17 -O2 -Wall -Wextra -o chain chain.c && ./chain 3
 *   depth 1 pid 40 parent 7
 *   depth 2 pid 41 parent 40
 *   depth 3 pid 42 parent 41
 *   chain status 2
 *
 * The grader checks the kernel's view: each process's parent must really be the one above it,
 * no process may be left a zombie, and each depth line is printed once when the output goes
 * to a file (./chain 3 > out.txt).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_DEPTH 100

/* Print one line and flush it at once (see fork_children.c). */
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

int main(int argc, char **argv)
{
    int total = parse_args(argc, argv);
    /* TODO: starting at depth 1, say the depth line; if this is not the deepest, fork. The
     * parent stays at its depth and waits for its child (waitpid); the child goes one level
     * deeper and does the same. Decode the status with WIFEXITED and WEXITSTATUS. Every
     * process but the first leaves with _exit(code); the first says `chain status <code>`
     * and returns 0. */
    (void)total;
    return 0;
}
