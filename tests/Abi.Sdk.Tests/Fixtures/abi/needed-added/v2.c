double sqrt(double);
int foo(void) { return 1; }
int bar(void) { return (int)sqrt(4.0); }
