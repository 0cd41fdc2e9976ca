/* 100 MB of output, none of it what the grader waits for. */
#include <stdio.h>
#include <string.h>

int main(void)
{
    char line[1000];
    memset(line, 'x', sizeof line - 1);
    line[sizeof line - 1] = '\n';
    for (int i = 0; i < 100000; i++)
        fwrite(line, 1, sizeof line, stdout);
    return 0;
}
