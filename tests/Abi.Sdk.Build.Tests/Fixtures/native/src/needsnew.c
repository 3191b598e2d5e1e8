/* Calls arc4random, which glibc defines at GLIBC_2.36: a library built here needs that version node. */
#include <stdlib.h>
unsigned int fixture_random(void) { return arc4random(); }
