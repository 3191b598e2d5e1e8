struct node { struct node *next; int depth; int v; };
int walk(struct node *n) { return n->v; }
