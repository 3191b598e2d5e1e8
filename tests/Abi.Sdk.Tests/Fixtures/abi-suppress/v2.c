/* New side of the suppression pair (see v1.c); the headers are read with SUP_V2 defined. */
#define SUP_V2
#include "sup-a.h"            /* S, P, T */
#include "include/sup-b.h"    /* M, U */
enum E { E_A, E_B = 5 };
struct R { long a; };
struct V { int a; int b; };
struct D { int a; long c; };

int f_s(struct S *s) { return s->a; }
int f_p(struct P *p) { return p->a; }
int f_m(struct M *m) { return m->a; }
int f_u(union U *u) { return u->i; }
int f_e(enum E e) { return e; }
T f_t(void) { return 0; }
int f_arr(int (*a)[8]) { return (*a)[0]; }
int f_int(long x) { return (int)x; }
int f_rp(struct R *r) { return (int)r->a; }
int f_rv(struct R r) { return (int)r.a; }
int f_d(struct D *d) { return d->a; }
int f_new(int x) { return x; }
int f_unchanged(int x) { return x + 1; }
struct V gv;
struct V *gp;
