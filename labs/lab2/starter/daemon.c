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
 * Build: gcc -std=gnu17 -O2 -Wall -Wextra -o daemon daemon.c && ./daemon /tmp/daemon.pid
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

/* Return in the daemon, with the write end of the launcher's ready pipe; the launcher and the
 * first child never return from here. */
static int detach(void)
{
    /* TODO: make a pipe before forking: the daemon will tell the launcher through it.
     * TODO: fflush(NULL), then fork. The launcher closes its write end, waits for this first
     *       child (waitpid), then reads the pipe: a byte means the daemon is ready (exit 0);
     *       EOF (read returns 0) means the daemon died before it was ready (say so, exit 1).
     *       Retry waitpid and read when they fail with EINTR.
     * TODO: in the child: close the read end; setsid(); fork again; the session leader
     *       _exit(0)s; the daemon returns the write end. */
    return -1;
}

/* Working directory, umask, and standard files, as a daemon should have them; -1 on failure. */
static int settle_in(void)
{
    /* TODO: chdir("/"), set a known umask, point 0, 1 and 2 at /dev/null (open, dup2). */
    return 0;
}

/* Write PIDFILE, tell the launcher we are ready, wait for SIGTERM, remove PIDFILE. */
static int serve_until_sigterm(int ready_write)
{
    /* TODO: a SIGTERM that arrives right after PIDFILE appears must not kill us before we
     * clean up: block it first (sigprocmask), then wait for it (sigwait).
     * TODO: write PIDFILE to a temporary file in the same directory, then rename() it.
     * TODO: once PIDFILE is there, write a byte to ready_write and close it. */
    (void)ready_write;
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
        return 1;
    return serve_until_sigterm(ready_write) != 0;
}
