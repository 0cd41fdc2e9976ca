/* Touches memory (memset writes every page) until the kernel's OOM killer ends it. */
#include <stdlib.h>
#include <string.h>

int main(void)
{
    for (;;) {
        char *block = malloc(16 << 20);
        if (block)
            memset(block, 1, 16 << 20);
    }
}
