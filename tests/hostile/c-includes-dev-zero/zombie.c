/* Never compiles: the preprocessor reads an endless file until it is stopped. */
#include "/dev/zero"

int main(void) { return 0; }
