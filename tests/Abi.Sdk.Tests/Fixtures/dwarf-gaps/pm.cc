// Pointers to members (DW_TAG_ptr_to_member_type): spelled as C++ and c++filt spell them, int S::*.
struct S { int a; double b; int f(int) const; long g(long, ...); };
int S::f(int x) const { return x + a; }
long S::g(long x, ...) { return x; }
int get(const S *s, int S::*pm) { return s->*pm; }
double get_double(S s, double S::*pm) { return s.*pm; }
int call(const S &s, int (S::*pmf)(int) const) { return (s.*pmf)(1); }
long call_variadic(S &s, long (S::*pmf)(long, ...)) { return (s.*pmf)(1, 2); }
