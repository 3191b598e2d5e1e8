int thing = 1;
int foo(void) { return thing; }
