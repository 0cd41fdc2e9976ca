/* server.c -- a long-running server that starts children and reaps them as they exit.
 *
 * Contract (stdin/stdout, one line per event, each flushed at once):
 *   run <ms> <code>   fork a child that sleeps <ms> milliseconds and exits with <code>;
 *                     answer `started <pid>` at once (within 100 ms, even while 50 children run).
 *   (a child exits)   print `reaped <pid> status <code>` within 100 ms, WITHOUT waiting for more
 *                     input.
 *   quit, or EOF      wait for the remaining children (printing their reaped lines), print `bye`,
 *                     exit 0.
 *
 * Rules of the game:
 *   - Never call printf from a signal handler: it is not async-signal-safe (man 7
 *     signal-safety). A handler may write(2) a byte into a pipe, and should save and restore
 *     errno around it.
 *   - Install the handler with sigaction, not signal(). Decide on SA_RESTART, and know that
 *     poll() fails with EINTR after every handler, whatever the flags: that is not an error.
 *   - Signals coalesce: one SIGCHLD may stand for many exits. Reap in a loop.
 *   - Children must really be your zombies until you wait for them: no SIG_IGN for SIGCHLD.
 *   - fflush(stdout) after each line: on a pipe or a file stdout is fully buffered.
 *   - The grader stops the server (SIGSTOP), lets 10 children exit, and continues it (SIGCONT):
 *     all 10 must be reaped within 100 ms.
 *
 * Build and run: gcc -std=gnu17 -O2 -Wall -Wextra -o server server.c && ./server
 * Read: man 2 sigaction, man 2 waitpid, man 2 poll, man 2 pipe, man 7 signal
 */
#define _GNU_SOURCE   /* for pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int children;       /* children started and not yet reaped */

static void sleep_ms(long ms)
{
    struct timespec left = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&left, &left) == -1 && errno == EINTR)
        ;
}

/* Fork a child that sleeps `ms` ms and exits with `code`; print `started <pid>`. */
static void start_child(long ms, int code)
{
    (void)ms;
    (void)code;
    (void)sleep_ms;
    /* TODO: fflush(stdout); fork; the child sleeps then _exit(code); the parent counts it
     * (children++), prints the started line and flushes it. */
}

/* Reap every child that has already exited, without blocking; print a reaped line each. */
static void reap_exited(void)
{
    /* TODO: waitpid(-1, &status, WNOHANG) in a loop, until it returns 0 (nobody else has
     * exited) or -1 with ECHILD (no children at all). */
}

/* After quit: wait for all remaining children, printing their reaped lines. */
static void reap_remaining(void)
{
    (void)children;
    /* TODO: while children are left, a blocking waitpid(-1, &status, 0); retry on EINTR. */
}

/* A whole number in [0, max] from a word, or -1. */
static long number(const char *word, long max)
{
    char *end;
    errno = 0;
    long n = strtol(word, &end, 10);
    if (errno != 0 || end == word || *end != '\0' || n < 0 || n > max)
        return -1;
    return n;
}

/* Run one command line (modified in place). Returns 0 when the server should quit. */
static int handle(char *line)
{
    char *words[4];
    int count = 0;
    for (char *w = strtok(line, " \t\r"); w && count < 4; w = strtok(NULL, " \t\r"))
        words[count++] = w;
    if (count == 0)
        return 1;
    if (count == 1 && strcmp(words[0], "quit") == 0)
        return 0;
    if (count == 3 && strcmp(words[0], "run") == 0) {
        long ms = number(words[1], INT_MAX), code = number(words[2], 255);
        if (ms >= 0 && code >= 0) {
            start_child(ms, (int)code);
            return 1;
        }
    }
    fprintf(stderr, "server: expected `run <ms> <code>` (ms >= 0, 0 <= code <= 255) or `quit`\n");
    return 1;
}

/* Main loop: returns when input says quit or ends. */
static void serve(void)
{
    char buf[4096];
    size_t len = 0;
    for (;;) {
        /* TODO: this read blocks until input arrives, so a child that exits while nobody types
         * is never noticed. Wait on stdin AND on a child-exit notification at the same time:
         * poll() over stdin plus the read end of a self-pipe that a SIGCHLD handler writes to
         * (or a signalfd, or pidfds). Keep read(2) on the descriptor: stdio's buffer hides
         * lines from poll(). */
        (void)reap_exited;
        ssize_t n = read(STDIN_FILENO, buf + len, sizeof buf - 1 - len);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            perror("read");
            return;
        }
        len += (size_t)n;
        buf[len] = '\0';
        char *start = buf, *newline;
        while ((newline = strchr(start, '\n')) != NULL) {
            *newline = '\0';
            if (!handle(start))
                return;
            start = newline + 1;
        }
        len -= (size_t)(start - buf);
        memmove(buf, start, len);
        /* At end of input a last unterminated line still counts; so does a line too long
         * for the buffer (it is rejected as a command). */
        if (n == 0 || len == sizeof buf - 1) {
            buf[len] = '\0';
            int go_on = len == 0 || handle(buf);
            len = 0;
            if (n == 0 || !go_on)
                return;
        }
    }
}

int main(int argc, char *argv[])
{
    (void)argv;
    if (argc != 1) {
        fprintf(stderr, "usage: server < commands\n");
        return 2;
    }
    /* TODO: set up the SIGCHLD handler and its pipe here, before the first fork. */
    serve();
    reap_remaining();
    printf("bye\n");
    fflush(stdout);
    return 0;
}
