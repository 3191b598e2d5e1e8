// The C++ change kinds, built like matrix.c: -DK_<kind>, NEW=0 (old) or NEW=1 (new).
#ifndef NEW
#define NEW 0
#endif

#if defined(K_virtual_function_added)
struct shape {
  virtual ~shape();
  virtual int area() const;
#if NEW
  virtual int perimeter() const;
#endif
};
shape::~shape() {}
int shape::area() const { return 1; }
#if NEW
int shape::perimeter() const { return 2; }
#endif
int use(const shape &s) { return s.area(); }

#elif defined(K_virtual_functions_reordered)
struct shape {
  virtual ~shape();
#if NEW
  virtual int perimeter() const;
  virtual int area() const;
#else
  virtual int area() const;
  virtual int perimeter() const;
#endif
};
shape::~shape() {}
int shape::area() const { return 1; }
int shape::perimeter() const { return 2; }
int use(const shape &s) { return s.area() + s.perimeter(); }

#elif defined(K_base_class_changed)
struct base_a { int a; };
struct base_b { long b; long c; };
#if NEW
struct derived : base_b { int d; };
#else
struct derived : base_a { int d; };
#endif
int use(derived *p) { return p->d; }

#else
#error "no change kind: compile with -DK_<kind>"
#endif
