/* k) A private DSO under /usr/lib64/privtool/, found through the tool's RPATH $ORIGIN/../lib64/privtool. */
int priv_one(void) { return 1; }
#ifndef REBUILD
int priv_two(void) { return 2; }
#endif
