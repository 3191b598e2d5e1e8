#include "types.h"
struct opaque { int secret; };
const struct node *b_first(const struct node *n, enum colour c) { return n && n->colour == c ? n : 0; }
int b_secret(struct opaque *o) { return o->secret; }
word *b_holder(struct holder *h) { return h->p; }
