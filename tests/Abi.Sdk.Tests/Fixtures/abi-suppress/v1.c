/* Old side of the suppression pair: each function reaches one type that v2.c changes in one way. */
#include "sup-a.h"            /* S, P, T */
#include "include/sup-b.h"    /* M, U */
enum E { E_A, E_B };                        /* v2: E_B renumbered */
struct R { int a; };                        /* v2: member a becomes long */
struct V { int a; };                        /* v2: member b added (size 4 -> 8) */
struct D { int a; int b; };                 /* v2: member b removed, c added after it (size 8 -> 16) */

int f_s(struct S *s) { return s->a; }
int f_p(struct P *p) { return p->a; }
int f_m(struct M *m) { return m->a; }
int f_u(union U *u) { return u->i; }
int f_e(enum E e) { return e; }
T f_t(void) { return 0; }
int f_arr(int (*a)[4]) { return (*a)[0]; }
int f_int(int x) { return x; }
int f_rp(struct R *r) { return (int)r->a; }
int f_rv(struct R r) { return (int)r.a; }
int f_d(struct D *d) { return d->a; }
int f_gone(int x) { return x; }
int gone_var;
int f_unchanged(int x) { return x + 1; }
struct V gv;
struct V *gp;
