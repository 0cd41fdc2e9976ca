/* mini_init.c [--subreaper] CMD [ARG...] -- a minimal init, after tini.
 *
 * Contract (as `tini -- CMD` behaves):
 *   1. runs CMD as its child;
 *   2. forwards the signals it receives to CMD (at least HUP, INT, QUIT, USR1, USR2, PIPE, ALRM,
 *      TERM, CONT, TSTP, URG and WINCH), and lets CMD start with a clean signal state: nothing
 *      blocked, nothing ignored;
 *   3. reaps every child that exits, its own and every orphan it adopts, as they exit;
 *   4. when CMD exits, exits at once with CMD's exit code, 128+N if a signal N killed it (127 if
 *      CMD does not exist, 126 if it cannot be executed);
 *   5. with --subreaper, makes itself a child subreaper, so that orphans come to it even when it
 *      is not PID 1 (as `tini -s`).
 * It must not use CPU while nothing happens.
 *
 * Build:   gcc -std=gnu17 -O2 -Wall -Wextra -o mini_init mini_init.c
 * Try it:  ./mini_init sh -c 'exit 3'; echo $?     (3)
 *          ./mini_init sh -c 'kill -KILL $$'; echo $?     (137)
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
    /* TODO: prctl(PR_SET_CHILD_SUBREAPER, 1UL, 0UL, 0UL, 0UL), and check what it returns
     * (die("prctl") on failure). */
}

/* Gets ready to receive signals; saves in *saved whatever the child needs to undo it. */
static void configure_signals(sigset_t *saved)
{
    /* TODO: how will the init learn about signals, and about children exiting? (Remember:
     * the kernel drops a signal for PID 1 that PID 1 has left at its default action.) */
    sigemptyset(saved);
}

/* Starts CMD as a child; returns its PID. */
static pid_t spawn(char **command, const sigset_t *saved)
{
    /* TODO: fork; in the child, give CMD a clean signal state (what does exec keep?), then
     * execvp. If the exec fails, leave the child with _exit(127 or 126), depending on errno. */
    (void)command;
    (void)saved;
    return -1;
}

static void forward(int signum, pid_t child)
{
    /* TODO: pass the signal on to CMD, and only to CMD. */
    (void)signum;
    (void)child;
}

/* Reaps every child that has exited; returns true, with CMD's exit code in *code, if CMD was
 * one of them. */
static bool reap_zombies(pid_t child, int *code)
{
    /* TODO: one SIGCHLD may stand for many exits. */
    (void)child;
    (void)code;
    return false;
}

int main(int argc, char **argv)
{
    bool subreaper;
    char **command = parse_args(argc, argv, &subreaper);
    if (subreaper)
        register_subreaper();
    sigset_t saved;
    configure_signals(&saved);
    pid_t child = spawn(command, &saved);
    /* TODO: until CMD exits: sleep until something happens (no polling), forward what must be
     * forwarded, reap what has exited; then return CMD's exit code. */
    (void)forward;
    (void)reap_zombies;
    (void)child;
    (void)die;
    return 1;
}
