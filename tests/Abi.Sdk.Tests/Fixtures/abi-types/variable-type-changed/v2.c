long v = 1;
int f(void) { return v; }
