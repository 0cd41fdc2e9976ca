/* Padded with comments to 50 MB at test time: a source too big to be accepted at all. */
int main(void) { return 0; }
