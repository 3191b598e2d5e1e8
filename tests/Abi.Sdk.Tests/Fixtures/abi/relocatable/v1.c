/* Relocatable objects (gcc -c): no dynamic symbols; .symtab is what abidiff and Abi.Sdk compare. */
int counter = 1;
int table[4];
int foo(int x) { return x + counter; }
int bar(void) { return 2; }
static int hidden(void) { return 3; }
int thing = 5;
int use(void) { return hidden(); }
