int foo(void) { return 1; }
__attribute__((visibility("protected"))) int bar(void) { return 2; }
