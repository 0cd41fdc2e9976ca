/* Spoof: forks nothing; prints a plausible PID (its own plus one), then exits 0 on Ctrl-C. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGINT);
    sigaddset(&stop, SIGTERM);
    sigprocmask(SIG_BLOCK, &stop, NULL);
    printf("zombie %d\n", (int)getpid() + 1);
    fflush(stdout);
    int sig;
    sigwait(&stop, &sig);
    return 0;
}
