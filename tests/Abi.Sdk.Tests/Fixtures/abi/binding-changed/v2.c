int foo(void) { return 1; }
__attribute__((weak)) int bar(void) { return 2; }
