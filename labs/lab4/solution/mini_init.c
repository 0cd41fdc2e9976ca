/* mini_init.c [--subreaper] CMD [ARG...] -- a minimal init, after tini.
 *
 * Contract (as `tini -- CMD` behaves):
 *   1. runs CMD as its child;
 *   2. forwards the signals it receives to CMD (all but the few it needs itself), and lets CMD
 *      start with a clean signal state: nothing blocked, nothing ignored;
 *   3. reaps every child that exits, its own and every orphan it adopts, as they exit;
 *   4. when CMD exits, exits at once with CMD's exit code, 128+N if a signal N killed it (127 if
 *      CMD does not exist, 126 if it cannot be executed);
 *   5. with --subreaper, makes itself a child subreaper, so that orphans come to it even when it
 *      is not PID 1 (as `tini -s`).
 *
 * Build: gcc -std=gnu17 -O2 -Wall -Wextra -o mini_init mini_init.c
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXIT_NOT_FOUND 127        /* the shell's codes, which tini uses too */
#define EXIT_NOT_EXECUTABLE 126

/* What the kernel sends a process about its own faults (a bad address, a bad instruction, an
 * abort): they are about the init itself and keep their default action, as in tini. */
static const int synchronous[] = {SIGFPE, SIGILL, SIGSEGV, SIGBUS, SIGABRT, SIGTRAP, SIGSYS};
/* What a terminal sends a background process that reads it or changes its settings, to stop
 * it. The init ignores them, so that it can never be stopped that way (see isolate_child). */
static const int tty_stops[] = {SIGTTIN, SIGTTOU};

#define COUNT(array) (sizeof(array) / sizeof((array)[0]))

static void die(const char *what)
{
    fprintf(stderr, "mini_init: %s: %s\n", what, strerror(errno));
    exit(1);
}

static void usage(void)
{
    fprintf(stderr, "usage: mini_init [--subreaper] [--] CMD [ARG...]\n");
    exit(2);
}

/* Returns CMD's argument vector (argv[0] is CMD itself), NULL-terminated as execvp wants. */
static char **parse_args(int argc, char **argv, bool *subreaper)
{
    int i;
    *subreaper = false;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-s") == 0 || strcmp(argv[i], "--subreaper") == 0) {
            *subreaper = true;
        } else if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        } else {
            usage();
        }
    }
    if (i >= argc)
        usage();
    return &argv[i];
}

static void register_subreaper(void)
{
    /* Orphans go to the nearest ancestor that is a child subreaper, before PID 1: this is how
     * an init that is not PID 1 (under docker exec, say) still inherits its command's orphans.
     * prctl reads its arguments as unsigned long: pass them as such. */
    if (prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL) != 0)
        die("prctl(PR_SET_CHILD_SUBREAPER)");
}

/* Blocks what the main loop collects (into *collected) and ignores the terminal's stops; saves
 * the signal mask we started with in *original, for the child to get back. */
static void configure_signals(sigset_t *collected, sigset_t *original)
{
    /* Blocked signals wait in the queue until sigwaitinfo takes them, one at a time: none is
     * lost between two waits and no handler interrupts anything. Blocking is also what lets
     * PID 1 receive them at all: the kernel drops a signal that PID 1 leaves at its default
     * action, but a blocked signal is queued first. */
    sigfillset(collected);
    for (size_t i = 0; i < COUNT(synchronous); i++)
        sigdelset(collected, synchronous[i]);
    for (size_t i = 0; i < COUNT(tty_stops); i++)
        sigdelset(collected, tty_stops[i]);
    sigdelset(collected, SIGKILL);   /* can be neither blocked nor caught */
    sigdelset(collected, SIGSTOP);
    if (sigprocmask(SIG_BLOCK, collected, original) != 0)
        die("sigprocmask");

    struct sigaction ignore = {.sa_handler = SIG_IGN};
    sigemptyset(&ignore.sa_mask);
    for (size_t i = 0; i < COUNT(tty_stops); i++)
        if (sigaction(tty_stops[i], &ignore, NULL) != 0)
            die("sigaction");
}

/* In the child: a process group of its own, in the terminal's foreground if there is one.
 * Returns false (errno set) if that failed. */
static bool isolate_child(void)
{
    /* Its own group, so that whatever signals the group (a terminal's Ctrl-C, `kill -- -PGID`)
     * reaches CMD and its children, never the init. */
    if (setpgid(0, 0) != 0)
        return false;
    /* The terminal sends SIGTTOU to a background group that makes itself the foreground; we
     * still ignore it here, which is why this comes before restore_signals. */
    if (tcsetpgrp(STDIN_FILENO, getpgrp()) != 0 &&
        errno != ENOTTY && errno != ENXIO && errno != EBADF)   /* no terminal: fine */
        return false;
    return true;
}

/* In the child: give CMD the signal state the init started with. */
static bool restore_signals(const sigset_t *original)
{
    /* exec resets caught signals to their default, but keeps the signal mask and every
     * ignored signal: without this CMD would start deaf to everything we block. */
    struct sigaction dfl = {.sa_handler = SIG_DFL};
    sigemptyset(&dfl.sa_mask);
    for (size_t i = 0; i < COUNT(tty_stops); i++)
        if (sigaction(tty_stops[i], &dfl, NULL) != 0)
            return false;
    return sigprocmask(SIG_SETMASK, original, NULL) == 0;
}

/* In the child: become CMD. Returns only if that failed, with the exit code saying why. */
static int exec_command(char **command, const sigset_t *original)
{
    int code = 1;
    if (isolate_child() && restore_signals(original)) {
        execvp(command[0], command);
        if (errno == ENOENT)
            code = EXIT_NOT_FOUND;
        else if (errno == EACCES || errno == EPERM)
            code = EXIT_NOT_EXECUTABLE;
    }
    /* stderr is unbuffered: nothing of it waits in a buffer for an exit that never flushes. */
    fprintf(stderr, "mini_init: cannot run %s: %s\n", command[0], strerror(errno));
    return code;
}

static pid_t spawn(char **command, const sigset_t *original)
{
    pid_t pid = fork();
    if (pid < 0)
        die("fork");
    if (pid == 0)
        /* _exit: a child whose exec failed must not fall back into the init's loop, nor run
         * the init's atexit handlers or flush copies of its stdio buffers. */
        _exit(exec_command(command, original));
    return pid;
}

static void forward(int signum, pid_t child)
{
    /* To CMD's PID alone, never its process group (that is tini -g). */
    if (kill(child, signum) != 0 && errno != ESRCH)   /* ESRCH: CMD is gone, nobody to tell */
        fprintf(stderr, "mini_init: kill(%d, %d): %s\n", (int)child, signum, strerror(errno));
}

static int exit_code(int status)
{
    /* A wait status packs more than the code (exit 3 arrives as 768): decode it. A shell's
     * convention, which tini follows: 128+N for a child killed by signal N. */
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return 1;
}

/* Reaps every child that has exited; returns true, with CMD's exit code in *code, if CMD was
 * one of them. */
static bool reap_zombies(pid_t child, int *code)
{
    /* One SIGCHLD may stand for many exits (a pending signal is one bit, not a counter), so
     * reap until the kernel says no exited child is left. */
    bool cmd_exited = false;
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, WNOHANG);
        if (pid == 0)                          /* children remain, none of them has exited */
            return cmd_exited;
        if (pid < 0) {
            if (errno == ECHILD)               /* no children at all */
                return cmd_exited;
            die("waitpid");
        }
        if (pid == child) {
            *code = exit_code(status);
            cmd_exited = true;
        }
    }
}

int main(int argc, char **argv)
{
    bool subreaper;
    char **command = parse_args(argc, argv, &subreaper);
    if (subreaper)
        register_subreaper();   /* before fork: before any orphan can appear */

    sigset_t collected, original;
    configure_signals(&collected, &original);   /* before fork: no signal can slip by unseen */
    pid_t child = spawn(command, &original);

    for (;;) {
        /* Sleeps in the kernel until a collected signal is pending: an idle init uses no CPU. */
        int signum = sigwaitinfo(&collected, NULL);
        if (signum < 0) {
            /* EINTR: Linux ends sigwaitinfo when a stopped process is continued (SIGSTOP,
             * then SIGCONT), even with no handler. Whatever is pending is still pending. */
            if (errno != EINTR)
                die("sigwaitinfo");
        } else if (signum != SIGCHLD) {
            forward(signum, child);
        }
        int code;
        if (reap_zombies(child, &code))
            return code;
    }
}
