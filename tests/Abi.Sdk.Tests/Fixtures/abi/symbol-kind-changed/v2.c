int thing(void) { return 1; }
int foo(void) { return thing(); }
