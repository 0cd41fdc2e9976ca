/* pool.c TASKS: run TASKS tasks as child processes, as many at once as the system allows.
 *
 * Task i is a child that works for 20 ms and exits with status i % 256. When fork fails with
 * EAGAIN no PID is free: wait for a child to end (its zombie then gives its PID back), then try
 * again. Print "done TASKS" once every task has ended with the status it should have.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static pid_t *pids;             /* pids[i]: the child running task i, 0 once it has ended */
static long started, ended, failed, running;

static void nap(long milliseconds)
{
    struct timespec t = { .tv_sec = 0, .tv_nsec = milliseconds * 1000000L };
    nanosleep(&t, NULL);
}

/* The child's work; never returns. _exit, not exit: exit would flush the copy of the parent's
 * stdio buffers that fork gave the child, and run the parent's atexit handlers. */
static void task(long number)
{
    nap(20);
    _exit(number % 256);
}

/* An exit code as a shell shows it, but negative for a signal: -9 for SIGKILL. */
static int exit_code(int status)
{
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

/* A child has been reaped: which task was it, and did it end as it should? */
static void collect(pid_t pid, int status)
{
    long i = 0;
    while (i < started && pids[i] != pid)
        i++;
    if (i == started)
        return;                 /* not one of our tasks */
    pids[i] = 0;
    running--;
    ended++;
    int code = exit_code(status);
    if (code != i % 256) {
        printf("task %ld exited with %d\n", i, code);
        failed++;
    }
}

int main(int argc, char *argv[])
{
    char *end;
    long tasks = argc == 2 ? strtol(argv[1], &end, 10) : 0;
    if (argc != 2 || *end != '\0' || tasks <= 0 || tasks > 1000000) {
        fprintf(stderr, "usage: %s TASKS (1 to 1000000)\n", argv[0]);
        return 2;
    }
    pids = calloc(tasks, sizeof *pids);
    if (pids == NULL) {
        perror("calloc");
        return 1;
    }

    while (ended < tasks) {
        if (started < tasks) {
            fflush(stdout);     /* else the child gets a copy of what is still buffered */
            pid_t pid = fork();
            if (pid == 0)
                task(started);
            if (pid > 0) {
                pids[started++] = pid;
                running++;
                continue;
            }
            if (errno != EAGAIN) {      /* not "try again later": a real error */
                perror("fork");
                return 1;
            }
            /* EAGAIN: reap below, then fork again */
        }
        if (running == 0) {
            nap(10);            /* others hold every PID; nothing of ours to wait for */
            continue;
        }
        int status;
        pid_t pid = wait(&status);      /* blocks until a child ends: no spinning */
        if (pid == -1) {
            perror("wait");
            return 1;
        }
        collect(pid, status);
        /* and whatever else has ended meanwhile, without blocking */
        while (running > 0 && (pid = waitpid(-1, &status, WNOHANG)) > 0)
            collect(pid, status);
    }
    if (failed > 0) {
        printf("%ld of %ld tasks failed\n", failed, tasks);
        return 1;
    }
    printf("done %ld\n", tasks);
    return 0;
}
