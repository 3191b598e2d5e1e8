// -gsplit-dwarf -gdwarf-4 -fdebug-types-section: gcc writes each type unit in its own .debug_types.dwo section
// (one per COMDAT group), so the .dwo has several.
namespace ns {
struct A { int a; long b; };
struct B { A a; double d; };
enum class E : short { x, y = 7 };
}
int use_a(ns::A *a) { return a->a; }
long use_b(ns::B b) { return b.a.b; }
int use_e(ns::E e) { return (int)e; }
