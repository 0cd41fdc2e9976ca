/* exhaust.c: fork children that exit at once and don't reap them, until fork fails.
 *
 * Print "fork failed after <n> children: <ERRNO NAME>" (strerrorname_np gives the name), then
 * reap all n children, print "reaped <n>" and exit 0. See the handout, exercise 1.
 *
 * Build and run: gcc -std=gnu17 -O2 -Wall -Wextra -o exhaust exhaust.c && ./exhaust
 */
#define _GNU_SOURCE             /* for strerrorname_np */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
    /* TODO */
    return 0;
}
