/* g) The rebuild (a newer version) only adds: new_two in a new node NEW_1.1. */
int new_one(void) { return 1; }
#ifdef REBUILD
int new_two(void) { return 2; }
#endif
