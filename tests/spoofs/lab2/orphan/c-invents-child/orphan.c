/* Spoof: never forks; names the next PID as its child and prints the adoption itself. */
#include <stdio.h>
#include <unistd.h>

int main(void)
{
    int me = (int)getpid();
    printf("parent %d child %d\n", me, me + 1);
    printf("adopted %d by 1\n", me + 1);
    return 0;
}
