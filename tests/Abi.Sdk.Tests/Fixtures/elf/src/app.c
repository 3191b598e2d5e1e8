/* app: a PIE executable with an interpreter, a RUNPATH or RPATH, and versioned references. */
#include <stdio.h>
extern int frob(int, int);
extern int use_versioned(void);
int main(void) { printf("%d %d\n", frob(2, 3), use_versioned()); return 0; }
