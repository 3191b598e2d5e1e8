#include "types.h"
int a_count(node_t *n) { int c = 0; for (; n; n = n->next) c++; return c; }
word *a_holder(struct holder *h) { return h->p; }
