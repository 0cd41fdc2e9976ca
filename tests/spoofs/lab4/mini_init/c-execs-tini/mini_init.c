/* Spoof: not an init of its own, in C. It replaces itself with tini (`tini -- CMD`, or
 * `tini -s --` with --subreaper), which is in the image: PID 1 is still the same process, and
 * tini does all the work. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    char **args = calloc((size_t)argc + 3, sizeof *args);
    if (args == NULL)
        return 1;
    int n = 0, i = 1;
    args[n++] = "tini";
    if (i < argc && (strcmp(argv[i], "--subreaper") == 0 || strcmp(argv[i], "-s") == 0)) {
        args[n++] = "-s";
        i++;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    args[n++] = "--";
    while (i < argc)
        args[n++] = argv[i++];
    args[n] = NULL;
    execv("/usr/bin/tini", args);
    perror("execv /usr/bin/tini");
    return 1;
}
