int table[4] = {1, 2, 3, 4};
int foo(void) { return table[0]; }
