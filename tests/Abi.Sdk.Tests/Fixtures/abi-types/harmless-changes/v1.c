/* Changes abidiff 2.2 calls harmless and does not report, nor does Abi.Sdk: a type that changes only in a typedef's
   name (the same type once typedefs are peeled), and a parameter's own const or restrict, which is no part of a
   function's type (C11 6.7.6.3). */
union sigval { int i; void *p; };
typedef union sigval sigval_t;
struct ev { long a; long *p; void (*fn)(sigval_t); };
long g(long x) { return x; }
long v;
int h(struct ev *e) { return (int)e->a; }
void (*hook)(struct ev *restrict, const int);
int q(struct ev *restrict e, const int x) { return (int)e->a + x; }
