struct C { virtual int g(); virtual int f(); int x; };
int C::f() { return 1; }
int C::g() { return 2; }
int use(C *c) { return c->x; }
