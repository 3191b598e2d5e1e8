#define WORD long
#include "types.h"
word *c_holder(struct holder *h) { return h->p; }
int c_count(node_t *n) { return n != 0; }
