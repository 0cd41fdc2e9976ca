/* Spoof: real children, invented reports. It never calls wait: poll's timeout tells it when a
 * child is due, and it prints the reaped line with the code it was asked for. The children
 * stay zombies until the spoof exits. */
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAX 256
static pid_t pids[MAX];
static int codes[MAX];
static double due[MAX];
static int count;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec / 1e9;
}

static int report_due(int all)
{
    int left = 0;
    for (int i = 0; i < count; i++) {
        if (due[i] < 0)
            continue;
        if (all)
            usleep(due[i] > now() ? (useconds_t)((due[i] - now()) * 1e6) : 0);
        if (due[i] <= now()) {
            printf("reaped %d status %d\n", (int)pids[i], codes[i]);
            fflush(stdout);
            due[i] = -1;
        } else {
            left++;
        }
    }
    return left;
}

static int next_timeout(void)
{
    double soonest = -1;
    for (int i = 0; i < count; i++)
        if (due[i] >= 0 && (soonest < 0 || due[i] < soonest))
            soonest = due[i];
    if (soonest < 0)
        return -1;
    double ms = (soonest - now()) * 1000;
    return ms < 0 ? 0 : (int)ms + 1;
}

int main(void)
{
    char line[256];
    struct pollfd in = { .fd = STDIN_FILENO, .events = POLLIN };
    size_t len = 0;
    for (;;) {
        int ready = poll(&in, 1, next_timeout());
        report_due(0);
        if (ready <= 0)
            continue;
        ssize_t n = read(STDIN_FILENO, line + len, sizeof line - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        line[len] = '\0';
        char *nl;
        int quit = 0;
        while ((nl = strchr(line, '\n')) != NULL) {
            *nl = '\0';
            long ms;
            int code;
            if (sscanf(line, "run %ld %d", &ms, &code) == 2 && count < MAX) {
                pid_t pid = fork();
                if (pid == 0) {
                    usleep((useconds_t)ms * 1000);
                    _exit(code);
                }
                pids[count] = pid;
                codes[count] = code;
                due[count++] = now() + ms / 1000.0;
                printf("started %d\n", (int)pid);
                fflush(stdout);
            } else if (strcmp(line, "quit") == 0) {
                quit = 1;
            }
            len -= (size_t)(nl + 1 - line);
            memmove(line, nl + 1, len + 1);
        }
        if (quit)
            break;
    }
    report_due(1);
    printf("bye\n");
    fflush(stdout);
    return 0;
}
