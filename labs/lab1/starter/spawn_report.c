/* spawn_report CMD... -- run shell commands one at a time with posix_spawn, and say how each
 * one ended, as the wait status macros decode it.
 *
 * Contract (one line per event, each written whole with say()):
 *   spawn_report ignores SIGINT and SIGQUIT itself. It opens spawn.log in its working
 *   directory (created, or emptied) and then, for each CMD in order, starts `/bin/sh -c CMD`
 *   with posix_spawn and prints `spawned <pid>`. Each command starts with file descriptors
 *   0, 1, 2 and 3 only (3 is spawn.log), every signal that spawn_report ignores back at its
 *   default action, and an empty signal mask. It waits for the command with WUNTRACED, printing
 *   for each status the wait reports
 *       <pid> exited <code>
 *       <pid> killed by <SIGNAME>              (or: ... (core dumped))
 *       <pid> stopped by <SIGNAME>             (then it sends SIGCONT and waits again)
 *   and starts the next command only once this one has exited or been killed. Exits 0.
 *
 *   $ gcc -std=gnu17 -O2 -Wall -Wextra -o spawn_report spawn_report.c
 *   $ ./spawn_report 'exit 3' 'kill -STOP $$; kill -TERM $$'
 *   spawned 41
 *   41 exited 3
 *   spawned 42
 *   42 stopped by SIGSTOP
 *   42 killed by SIGTERM
 *
 * The grader checks the kernel's view: that each command is your child and became /bin/sh at
 * once, that each line says what the kernel's wait status said, and what each command really
 * started with (its ignored and blocked signals in /proc/<pid>/status, its open files).
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

/* Start /bin/sh -c command with posix_spawn; return its PID. */
static pid_t spawn(const char *command, int log_fd)
{
    /* TODO: exec keeps three things the command must not get from this process: descriptors
     * not marked close-on-exec, ignored signals, and the signal mask. Set each one for the
     * child with a file action or an attribute:
     *   posix_spawn_file_actions_adddup2(&actions, log_fd, LOG_FD);
     *   posix_spawnattr_setsigdefault(&attr, &set)   every signal this process ignores (ask
     *       sigaction(sig, NULL, &sa) for each: SIGINT and SIGQUIT, and any ignored by
     *       whoever started you);
     *   posix_spawnattr_setsigmask(&attr, &empty), and posix_spawnattr_setflags with
     *       POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK, or the two are not used.
     * posix_spawn(&pid, "/bin/sh", &actions, &attr, argv, environ) returns an error number
     * (0 if it worked); it does not set errno. */
    (void)command;
    (void)log_fd;
    return -1;
}

/* Wait for pid until it has exited or been killed, saying each status the wait reports. */
static void report(pid_t pid)
{
    /* TODO: waitpid(pid, &status, WUNTRACED); ask which kind of status it is (WIFSTOPPED,
     * WIFSIGNALED, WIFEXITED) before reading a number out of it (WSTOPSIG, WTERMSIG with
     * WCOREDUMP, WEXITSTATUS). signame(sig) is a signal's name. A stopped command stays
     * stopped until you send it SIGCONT with kill. */
    (void)pid;
    (void)signame;   /* for the lines you print here */
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CMD...\n", argv[0]);
        return 2;
    }
    /* TODO: ignore SIGINT and SIGQUIT: sigaction with sa_handler = SIG_IGN, not a handler
     * (exec resets a handler to the default, but keeps a signal ignored). */
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
