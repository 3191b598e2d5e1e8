/* runnable.so: an ET_DYN with a program interpreter but no DF_1_PIE and no SONAME, like libc.so.6 (which does the
   same: its own .interp section) and executables from linkers before binutils 2.26. readelf 2.40 calls it a shared
   object, not a position-independent executable. */
#include <stdio.h>
#include <stdlib.h>
const char interp[] __attribute__((section(".interp"))) = "/lib64/ld-linux-x86-64.so.2";
void start(void) { puts("runnable"); exit(0); }
