/* reaper.c MS... -- start children, reap each one the moment it exits.
 *
 * Contract:
 *   For each argument i (1-based), fork a child that sleeps MS[i] milliseconds and exits with
 *   status i % 256 (via _exit). Reap every child as it exits, in exit order, printing
 *   `reaped <pid> status <exit code>` (flushed; the exit code, not the raw wait status), and
 *   exit 0 after the last. No child may stay a zombie longer than 100 ms.
 *
 * The grader uses delays like `1200 300 900 600`: waiting in spawn order, or polling with long
 * sleeps in between, leaves children lying around as zombies and is caught.
 *
 * Build and run: gcc -std=gnu17 -O2 -Wall -Wextra -o reaper reaper.c && ./reaper 1200 300 900 600
 * Read: man 2 fork, man 2 wait (WIFEXITED, WEXITSTATUS, WIFSIGNALED, WTERMSIG), man 2 nanosleep
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A delay in milliseconds from a command-line word, or -1 if it is not one. */
static long parse_ms(const char *word)
{
    char *end;
    errno = 0;
    long ms = strtol(word, &end, 10);
    if (errno != 0 || end == word || *end != '\0' || ms < 0 || ms > INT_MAX)
        return -1;
    return ms;
}

static void sleep_ms(long ms)
{
    struct timespec left = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&left, &left) == -1 && errno == EINTR)
        ;
}

/* Fork a child that sleeps `ms` milliseconds, then exits with `code`. Returns its PID. */
static pid_t spawn(long ms, int code)
{
    (void)ms;
    (void)code;
    (void)sleep_ms;
    /* TODO: fflush(stdout), then fork(); the child sleeps, then leaves with _exit(code) -- and
     * must never fall through into the parent's code. */
    return -1;
}

/* Reap `children` children as they exit, printing one `reaped` line for each. */
static void reap_in_exit_order(int children)
{
    (void)children;
    /* TODO: which wait call hands back whichever child dies first? Decode the status: the
     * exit code is WEXITSTATUS(status) if WIFEXITED(status); -WTERMSIG(status) if the child
     * was killed by a signal. printf the line, then fflush(stdout). */
}

int main(int argc, char *argv[])
{
    if (argc < 2) {
        fprintf(stderr, "usage: reaper MS...\n");
        return 2;
    }
    for (int i = 1; i < argc; i++) {
        if (parse_ms(argv[i]) < 0) {
            fprintf(stderr, "reaper: %s: delays are whole milliseconds, not negative\n", argv[i]);
            return 2;
        }
    }
    int children = 0;
    for (int i = 1; i < argc; i++)
        if (spawn(parse_ms(argv[i]), i % 256) > 0)
            children++;
    reap_in_exit_order(children);
    return 0;
}
