// Old side of the C++ suppression pair: references and member functions (the implicit 'this' parameter).
namespace ns {
struct Q { int a; };                        // v2: member a becomes long
struct K { int k; int g(Q *q, int x); };    // v2: K unchanged, Q changes behind g's first explicit parameter
}
int h_ref(ns::Q &q) { return q.a; }
int h_ptr(ns::Q *q) { return q->a; }
int ns::K::g(Q *q, int x) { return q->a + x + k; }
