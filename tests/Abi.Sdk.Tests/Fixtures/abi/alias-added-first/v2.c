/* A new alias of an existing function, before it in .dynsym: abidiff then reports no change at all. */
int foo(void) { return 1; }
int aalias(void) __attribute__((alias("foo")));
