/* server.c -- a long-running server that starts children and reaps them as they exit.
 *
 * Contract (stdin/stdout, one line per event, each flushed at once):
 *   run <ms> <code>   fork a child that sleeps <ms> milliseconds and exits with <code>;
 *                     answer `started <pid>` at once.
 *   (a child exits)   print `reaped <pid> status <code>` within 100 ms, with no more input needed.
 *   quit, or EOF      wait for the remaining children (printing their reaped lines), print `bye`,
 *                     exit 0.
 *
 * How: one poll() watches stdin and the read end of a self-pipe. The SIGCHLD handler only
 * writes a byte into that pipe, so a child's exit wakes poll() just like input does. Reaping
 * and printing happen in the main loop, never inside the handler.
 *
 * Build: gcc -std=gnu17 -O2 -Wall -Wextra -o server server.c
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

static int wakeup[2];      /* the self-pipe: [0] read end, [1] write end */
static int children;       /* children started and not yet reaped */

/* The SIGCHLD handler may call only async-signal-safe functions (man 7 signal-safety):
 * write(2) is one, printf is not. It saves errno because write may change it, and the
 * handler can run between any call of the main program and that call's check of errno. */
static void on_sigchld(int sig)
{
    (void)sig;
    int saved = errno;
    /* Non-blocking: if the pipe is full, a wakeup is already waiting; drop this one. */
    ssize_t ignored = write(wakeup[1], "x", 1);
    (void)ignored;
    errno = saved;
}

static void setup_sigchld(void)
{
    /* Both ends non-blocking: the handler must never block on a full pipe, and draining
     * must stop when the pipe is empty. Close-on-exec: no program we might exec needs them. */
    if (pipe2(wakeup, O_NONBLOCK | O_CLOEXEC) == -1) {
        perror("pipe2");
        exit(1);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sigemptyset(&sa.sa_mask);
    /* SA_RESTART: a read or write that SIGCHLD interrupts (printf's write to a slow terminal,
     * wait() at the end) is restarted by the kernel instead of failing with EINTR. poll() is
     * never restarted, whatever the flags: the main loop retries it itself.
     * SA_NOCLDSTOP: no SIGCHLD when a child is merely stopped. Not SIG_IGN, nor SA_NOCLDWAIT:
     * either would tell the kernel to discard our children's statuses. */
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    if (sigaction(SIGCHLD, &sa, NULL) == -1) {
        perror("sigaction");
        exit(1);
    }
}

static void drain_wakeup(void)
{
    /* Empty the pipe before reaping: a child that exits after this point writes a fresh
     * byte, so the next poll() wakes for it. Draining after reaping could swallow it. */
    char buf[256];
    while (read(wakeup[0], buf, sizeof buf) > 0)
        ;
}

static int exit_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return -WTERMSIG(status);
    return status;
}

static void report(pid_t pid, int status)
{
    children--;
    printf("reaped %d status %d\n", (int)pid, exit_code(status));
    fflush(stdout);
}

/* Signals coalesce: ten exits while SIGCHLD is pending (or while we are stopped) make one
 * delivery. So never "one wait per signal": reap until WNOHANG says nobody else has exited. */
static void reap_exited(void)
{
    while (children > 0) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid == 0)
            return;             /* children left, none exited */
        if (pid == -1) {
            if (errno == EINTR)
                continue;
            perror("waitpid");  /* ECHILD: nobody left to wait for */
            children = 0;
            return;
        }
        report(pid, status);
    }
}

/* After quit there is nothing else to do, so a blocking wait is right: it still hands back
 * each child the moment it exits, in exit order. */
static void reap_remaining(void)
{
    while (children > 0) {
        int status;
        pid_t pid = waitpid(-1, &status, 0);
        if (pid == -1) {
            if (errno == EINTR)
                continue;
            perror("waitpid");
            return;
        }
        report(pid, status);
    }
}

static void sleep_ms(long ms)
{
    struct timespec left = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };
    while (nanosleep(&left, &left) == -1 && errno == EINTR)
        ;
}

static void start_child(long ms, int code)
{
    /* Flush before fork: whatever stdio still holds would be copied into the child. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == -1) {
        perror("fork");
        return;
    }
    if (pid == 0) {
        sleep_ms(ms);
        /* _exit: leave now, without flushing the copies of the parent's stdio buffers. */
        _exit(code);
    }
    children++;
    printf("started %d\n", (int)pid);
    fflush(stdout);
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
    struct pollfd fds[2] = {
        { .fd = STDIN_FILENO, .events = POLLIN },
        { .fd = wakeup[0], .events = POLLIN },
    };
    for (;;) {
        /* No timeout: sleep in the kernel until input or a SIGCHLD arrives. */
        if (poll(fds, 2, -1) == -1) {
            /* The SIGCHLD handler ran while we slept: poll fails with EINTR after every
             * handler, SA_RESTART or not. That is no error and no end of input; the byte the
             * handler wrote makes the next poll return at once. */
            if (errno == EINTR)
                continue;
            perror("poll");
            return;
        }
        if (fds[1].revents & POLLIN) {
            drain_wakeup();
            reap_exited();
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            /* read(2) on the descriptor, not fgets: stdio may pull several lines into its
             * own buffer, where poll() can no longer see them. */
            ssize_t n = read(STDIN_FILENO, buf + len, sizeof buf - 1 - len);
            if (n == -1) {
                if (errno == EINTR || errno == EAGAIN)
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
            /* At end of input a last unterminated line still counts; so does a line too
             * long for the buffer (it is rejected as a command). */
            if (n == 0 || len == sizeof buf - 1) {
                buf[len] = '\0';
                int go_on = len == 0 || handle(buf);
                len = 0;
                if (n == 0 || !go_on)
                    return;
            }
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
    /* The handler must be in place before the first fork, so no exit goes unnoticed. */
    setup_sigchld();
    serve();
    reap_remaining();
    printf("bye\n");
    fflush(stdout);
    return 0;
}
