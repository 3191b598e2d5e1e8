/* The library of the fixture package: compiled in four versions (make-fixtures.sh) by leaving functions out. */
int demo_add(int a, int b) { return a + b; }
#ifndef NO_SUB
int demo_sub(int a, int b) { return a - b; }
#endif
#ifndef NO_MUL
int demo_mul(int a, int b) { return a * b; }
#endif
#ifdef WITH_DIV
int demo_div(int a, int b) { return b == 0 ? 0 : a / b; }
#endif
