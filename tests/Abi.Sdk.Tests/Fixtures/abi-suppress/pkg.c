/* A second unit for the DWARF package fixtures (pkg5.so, pkg4.so): its line table is the package's second
   contribution, and its types are declared at file indexes that mean other files in v1.c's table. */
#include "include/pkg.h"      /* K */
struct Q { long q; };
int g_q(struct Q *q) { return (int)q->q; }
int g_k(struct K *k) { return k->k; }
