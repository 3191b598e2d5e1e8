/* c) No version script: the rebuild no longer exports plain_two. */
int plain_one(void) { return 1; }
#ifndef REBUILD
int plain_two(void) { return 2; }
#endif
