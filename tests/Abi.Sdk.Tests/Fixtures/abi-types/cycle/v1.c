struct node { struct node *next; int v; };
int walk(struct node *n) { return n->v; }
