/* Spoof: a real subreaper and a real family, and true reaped lines: it learns each exit status
 * with waitid(..., WEXITED | WNOWAIT), which reports a child's end but leaves it a zombie. It
 * never reaps, and exits leaving both zombies behind. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const struct timespec tick = { 0, 10000000L };

/* The exit code of child pid, once it has ended, without reaping it. */
static int peek(pid_t pid)
{
    siginfo_t info;
    /* ECHILD while the grandchild is not ours yet: ask again. */
    while (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOWAIT) != 0)
        nanosleep(&tick, NULL);
    return info.si_code == CLD_EXITED ? info.si_status : -info.si_status;
}

int main(void)
{
    int pipefd[2];
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0 || pipe(pipefd) != 0)
        return 1;
    fflush(stdout);
    pid_t child = fork();
    if (child < 0)
        return 1;
    if (child == 0) {
        pid_t me = getpid();
        pid_t grandchild = fork();
        if (grandchild == 0) {
            pid_t ppid;
            while ((ppid = getppid()) == me)
                nanosleep(&tick, NULL);
            printf("adopted %d by %d\n", (int)getpid(), (int)ppid);
            fflush(stdout);
            _exit(3);
        }
        if (write(pipefd[1], &grandchild, sizeof grandchild) != sizeof grandchild)
            _exit(1);
        _exit(0);
    }
    pid_t grandchild;
    if (read(pipefd[0], &grandchild, sizeof grandchild) != sizeof grandchild)
        return 1;
    printf("reaped %d status %d\n", (int)child, peek(child));
    printf("reaped %d status %d\n", (int)grandchild, peek(grandchild));
    return 0;
}
