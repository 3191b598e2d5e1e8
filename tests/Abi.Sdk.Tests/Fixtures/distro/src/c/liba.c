/* a) The rebuild lacks version node LIBA_2.0 (and the symbol it holds). */
int liba_one(void) { return 1; }
#ifndef REBUILD
int liba_two(void) { return 2; }
#endif
