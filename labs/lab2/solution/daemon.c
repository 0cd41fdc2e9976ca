/* daemon.c PIDFILE -- become a daemon with the classic double fork.
 *
 * Contract:
 *   The launcher (what you start) exits 0 within 1 s, once the daemon has told it that it is
 *   ready (PIDFILE written). The daemon it leaves behind:
 *     - has been adopted (its parent exited), is in a session of its own but is not the
 *       session's leader, and has no controlling terminal;
 *     - has / as its working directory, and stdin, stdout and stderr on /dev/null;
 *     - writes its own PID to PIDFILE, in decimal followed by a newline;
 *     - on SIGTERM, removes PIDFILE and exits 0.
 *
 * Build: gcc -std=gnu17 -O2 -Wall -Wextra -o daemon daemon.c
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define UMASK 022   /* a known umask: the one we inherited belongs to whoever started us */

static char pidfile[PATH_MAX];

/* PIDFILE made absolute now: after chdir("/") a relative path would point somewhere else. */
static int absolute(const char *path)
{
    if (path[0] == '/')
        return snprintf(pidfile, sizeof pidfile, "%s", path) < (int)sizeof pidfile ? 0 : -1;
    char cwd[PATH_MAX];
    if (getcwd(cwd, sizeof cwd) == NULL)
        return -1;
    return snprintf(pidfile, sizeof pidfile, "%s/%s", cwd, path) < (int)sizeof pidfile ? 0 : -1;
}

/* In the launcher: wait for the first child, then for the daemon's word. Never returns. */
static void launcher(pid_t first, int ready_read)
{
    /* The first child exits as soon as it has forked the daemon: waiting for it is quick and
     * leaves no zombie. */
    while (waitpid(first, NULL, 0) < 0 && errno == EINTR)
        ;
    /* One byte: the daemon is ready. EOF (0) without one: every copy of the write end was
     * closed, so the daemon died before it got there. */
    char byte;
    ssize_t n;
    while ((n = read(ready_read, &byte, 1)) < 0 && errno == EINTR)
        ;
    if (n == 1)
        exit(0);
    fprintf(stderr, "daemon: the daemon exited before it was ready\n");
    exit(1);
}

/* Return in the daemon, with the write end of the launcher's ready pipe; the launcher and the
 * first child never return from here. */
static int detach(void)
{
    /* The launcher must not return before the daemon can be used (daemon(7)); rather than guess
     * how long that takes, it reads a pipe whose write end only the daemon keeps. */
    int ready[2];
    if (pipe(ready) != 0) {
        perror("pipe");
        exit(1);
    }
    fflush(NULL);   /* nothing buffered may be written twice, by parent and child */
    /* First fork: the launcher returns to whoever started it. The child is not a process group
     * leader, which setsid() requires. */
    pid_t first = fork();
    if (first < 0) {
        perror("fork");
        exit(1);
    }
    if (first > 0) {
        close(ready[1]);   /* our own copy would keep read() from ever seeing EOF */
        launcher(first, ready[0]);
    }
    close(ready[0]);
    /* A new session with no controlling terminal; we lead it, and its only process group. */
    if (setsid() < 0) {
        perror("setsid");
        _exit(1);
    }
    /* Second fork: a session leader that opens a terminal can acquire it as its controlling
     * terminal. The daemon is the leader's child, so it never can. The leader exits, and the
     * daemon is adopted by PID 1 (or the nearest subreaper). */
    pid_t daemon = fork();
    if (daemon < 0) {
        perror("fork");
        _exit(1);
    }
    if (daemon > 0)
        _exit(0);   /* _exit: the daemon's copy of stdio is the one that lives on */
    return ready[1];
}

static int settle_in(void)
{
    /* Don't keep a directory busy (a mount that can't be unmounted); "/" is always there. */
    if (chdir("/") != 0)
        return -1;
    umask(UMASK);
    /* The terminal may be gone at any time; writing to it would then fail or hang us. Point 0,
     * 1 and 2 at /dev/null (never just close them: the next open() would get fd 0, 1 or 2 and
     * a stray printf would land in that file). */
    int devnull = open("/dev/null", O_RDWR);
    if (devnull < 0)
        return -1;
    for (int fd = 0; fd <= 2; fd++)
        if (dup2(devnull, fd) < 0)
            return -1;
    if (devnull > 2)
        close(devnull);
    return 0;
}

/* Write a temporary file in the same directory and rename it over PIDFILE: rename(2) is atomic
 * within one file system, so whoever reads PIDFILE sees a whole PID or none. */
static int write_pidfile(void)
{
    char temporary[PATH_MAX + 32];
    if (snprintf(temporary, sizeof temporary, "%s.%d.tmp", pidfile, (int)getpid())
            >= (int)sizeof temporary)
        return -1;
    FILE *f = fopen(temporary, "w");
    if (f == NULL)
        return -1;
    int failed = fprintf(f, "%d\n", (int)getpid()) < 0;
    failed |= fclose(f) != 0;   /* fclose flushes: a full disk shows up here */
    if (failed || rename(temporary, pidfile) != 0) {
        unlink(temporary);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s PIDFILE\n", argv[0]);
        return 2;
    }
    if (absolute(argv[1]) != 0) {
        fprintf(stderr, "daemon: %s: path too long or no working directory\n", argv[1]);
        return 1;
    }
    int ready_write = detach();
    if (settle_in() != 0)
        return 1;   /* closing the pipe (at exit) tells the launcher we failed */
    /* Block SIGTERM before announcing ourselves: one sent as soon as PIDFILE appears then
     * waits, pending, for sigwait() instead of killing us before we can clean up. */
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    if (sigprocmask(SIG_BLOCK, &term, NULL) != 0 || write_pidfile() != 0)
        return 1;
    if (write(ready_write, "\n", 1) != 1)   /* ready: the launcher may return */
        return 1;
    close(ready_write);
    int sig;
    while (sigwait(&term, &sig) != 0)   /* a real daemon would do its work meanwhile */
        ;
    unlink(pidfile);
    return 0;
}
