/* Spoof: spawns each command correctly and waits for it, but never decodes how it ended: it
 * prints what the command's text suggests. */
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *guess(const char *command)
{
    if (strstr(command, "exit"))
        return "exited 0";
    if (strstr(command, "ulimit -c"))
        return "killed by SIGQUIT (core dumped)";
    return "killed by SIGTERM";
}

int main(int argc, char **argv)
{
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    int log = open("spawn.log", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    sigset_t all, none;
    sigfillset(&all);
    sigemptyset(&none);
    for (int i = 1; i < argc; i++) {
        posix_spawn_file_actions_t actions;
        posix_spawnattr_t attr;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_adddup2(&actions, log, 3);
        posix_spawnattr_init(&attr);
        posix_spawnattr_setsigdefault(&attr, &all);
        posix_spawnattr_setsigmask(&attr, &none);
        posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
        char *args[] = {"sh", "-c", argv[i], NULL};
        pid_t pid;
        if (posix_spawn(&pid, "/bin/sh", &actions, &attr, args, environ) != 0)
            return 1;
        printf("spawned %d\n", (int)pid);
        fflush(stdout);
        int status;
        while (waitpid(pid, &status, WUNTRACED) == pid && WIFSTOPPED(status)) {
            printf("%d stopped by SIGSTOP\n", (int)pid);
            fflush(stdout);
            kill(pid, SIGCONT);
        }
        printf("%d %s\n", (int)pid, guess(argv[i]));
        fflush(stdout);
    }
    return 0;
}
