/* reaper.c MS... -- start children, reap each one the moment it exits.
 *
 * Contract:
 *   For each argument i (1-based), fork a child that sleeps MS[i] milliseconds and exits with
 *   status i % 256. Reap every child as it exits, in exit order, printing
 *   `reaped <pid> status <exit code>` (the exit code, not the raw wait status), and exit 0 after
 *   the last. No child may stay a zombie longer than 100 ms.
 *
 * Build: gcc -std=gnu17 -O2 -Wall -Wextra -o reaper reaper.c
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
    /* nanosleep stops early if a signal handler runs; it tells us how long was left. */
    while (nanosleep(&left, &left) == -1 && errno == EINTR)
        ;
}

/* The exit code as a shell shows it: the code, or -N for a child killed by signal N. */
static int exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return -WTERMSIG(status);
    return status;   /* not reached: wait() without WUNTRACED reports only deaths */
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
    for (int i = 1; i < argc; i++) {
        fflush(stdout);   /* fork copies unflushed stdio buffers into the child */
        pid_t pid = fork();
        if (pid == -1) {
            perror("fork");
            break;        /* still reap the ones already started */
        }
        if (pid == 0) {
            sleep_ms(parse_ms(argv[i]));
            /* _exit: end the child here, so it never falls through into the parent's loop
             * below, and never flushes a copy of the parent's buffers. */
            _exit(i % 256);
        }
        children++;
    }

    /* wait() blocks until *any* child has exited and reaps that one, so the kernel hands them
     * back in the order they die. waitpid(pid, ...) for each PID in turn would leave every
     * child that dies earlier sitting as a zombie until its turn comes. */
    while (children > 0) {
        int status;
        pid_t pid = wait(&status);
        if (pid == -1) {
            if (errno == EINTR)
                continue;
            perror("wait");
            return 1;
        }
        children--;
        /* The raw status packs the code in bits 8..15 (or a signal number in the low bits). */
        printf("reaped %d status %d\n", (int)pid, exit_code(status));
        fflush(stdout);
    }
    return 0;
}
