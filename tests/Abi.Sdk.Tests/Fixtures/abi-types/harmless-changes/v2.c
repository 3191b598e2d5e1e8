/* v1.c with typedef names (L for long, __sigval_t for sigval_t, as glibc's headers name it in some units) and the
   parameters' own qualifiers dropped. */
union sigval { int i; void *p; };
typedef union sigval __sigval_t;
typedef long L;
struct ev { L a; L *p; void (*fn)(__sigval_t); };
L g(L x) { return x; }
L v;
int h(struct ev *e) { return (int)e->a; }
void (*hook)(struct ev *, int);
int q(struct ev *e, int x) { return (int)e->a + x; }
