/* Forks forever, and every child forks too, until the pids limit refuses; never exits. A C
   fork costs microseconds, not Python's milliseconds: the limit is reached at once. */
#include <unistd.h>

int main(void)
{
    for (;;)
        fork();
}
