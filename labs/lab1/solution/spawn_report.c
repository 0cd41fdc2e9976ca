/* spawn_report CMD... -- run shell commands one at a time with posix_spawn, and say how each
 * one ended, as the wait status macros decode it.
 *
 * The contract is the handout's (exercise 3) and the starter's: each command starts with
 * descriptors 0 to 3 only (3 is spawn.log), nothing ignored and nothing blocked; each status the
 * wait reports is one line, `<pid> exited <code>`, `<pid> killed by <SIGNAME>` (with
 * ` (core dumped)`), or `<pid> stopped by <SIGNAME>`, after which the command is continued.
 */
#define _GNU_SOURCE                /* sigabbrev_np */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define LOG "spawn.log"
#define LOG_FD 3                   /* the descriptor the commands find spawn.log on */

extern char **environ;

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

static void die(const char *what, int err)
{
    fprintf(stderr, "spawn_report: %s: %s\n", what, strerror(err));
    exit(1);
}

/* A signal's name as the contract writes it: SIGTERM, not "Terminated" (strsignal's text). */
static const char *signame(int sig)
{
    static char name[32];
    const char *abbrev = sigabbrev_np(sig);            /* "TERM"; NULL if it has no name */
    if (abbrev)
        snprintf(name, sizeof name, "SIG%s", abbrev);
    else
        snprintf(name, sizeof name, "signal %d", sig);
    return name;
}

/* Every signal this process ignores: SIGINT and SIGQUIT by its own choice, and any its own
 * parent left ignored. exec keeps an ignored signal ignored (it resets only handlers). */
static void ignored_signals(sigset_t *set)
{
    sigemptyset(set);
    for (int sig = 1; sig < NSIG; sig++) {
        struct sigaction sa;
        if (sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN)
            sigaddset(set, sig);
    }
}

/* Start /bin/sh -c command, fork and exec in one call; return its PID. */
static pid_t spawn(const char *command, int log_fd)
{
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    sigset_t ignored, none;
    pid_t pid;
    int err;

    /* log_fd was opened O_CLOEXEC; a dup2 in the child makes a copy that is not. (log_fd is
     * often 3 itself: a dup2 onto itself changes nothing, but this file action then clears
     * close-on-exec, as POSIX asks and glibc does.) Every other descriptor of ours is
     * close-on-exec, or 0, 1 and 2. */
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, log_fd, LOG_FD);
    /* exec resets handlers but keeps ignored signals and the signal mask: set both here. */
    posix_spawnattr_init(&attr);
    ignored_signals(&ignored);
    sigemptyset(&none);
    posix_spawnattr_setsigdefault(&attr, &ignored);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

    char *argv[] = {"sh", "-c", (char *)command, NULL};
    /* posix_spawn returns an error number; it does not set errno. */
    err = posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    if (err != 0)
        die("posix_spawn /bin/sh", err);
    return pid;
}

/* Wait for pid until it has ended, saying each status the kernel reports. */
static void report(pid_t pid)
{
    for (;;) {
        int status;
        /* WUNTRACED: report a stop too, not only the end. */
        if (waitpid(pid, &status, WUNTRACED) == -1) {
            if (errno == EINTR)
                continue;
            die("waitpid", errno);
        }
        /* Which kind of status is it? Only then does a number mean something. */
        if (WIFSTOPPED(status)) {
            say("%d stopped by %s", (int)pid, signame(WSTOPSIG(status)));
            if (kill(pid, SIGCONT) == -1)
                die("kill SIGCONT", errno);
        } else if (WIFSIGNALED(status)) {
            say("%d killed by %s%s", (int)pid, signame(WTERMSIG(status)),
                WCOREDUMP(status) ? " (core dumped)" : "");
            return;
        } else if (WIFEXITED(status)) {
            say("%d exited %d", (int)pid, WEXITSTATUS(status));
            return;
        }
    }
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CMD...\n", argv[0]);
        return 2;
    }
    /* SIG_IGN, not a handler: that is what "ignore" means, and what exec would keep. */
    struct sigaction ign = {.sa_handler = SIG_IGN};
    sigemptyset(&ign.sa_mask);
    if (sigaction(SIGINT, &ign, NULL) == -1 || sigaction(SIGQUIT, &ign, NULL) == -1)
        die("sigaction", errno);
    int log_fd = open(LOG, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (log_fd == -1)
        die(LOG, errno);
    for (int i = 1; i < argc; i++) {
        pid_t pid = spawn(argv[i], log_fd);
        say("spawned %d", (int)pid);
        report(pid);
    }
    return 0;
}
