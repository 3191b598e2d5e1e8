/* A new alias of an existing function, after it in .dynsym. */
int foo(void) { return 1; }
int zalias(void) __attribute__((alias("foo")));
