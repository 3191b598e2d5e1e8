/* bar removed, baz added, table grown, thing turned from data into a function, a hidden function added. */
int counter = 1;
int table[8];
int foo(int x) { return x + counter; }
int baz(void) { return 4; }
static int hidden(void) { return 3; }
int thing(void) { return 5; }
int use(void) { return hidden(); }
__attribute__((visibility("hidden"))) int internal_fn(void) { return 1; }
