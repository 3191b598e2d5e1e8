// A second library over the same types, so that dwz has something to share.
#include "shapes.hh"

namespace geo {
double twice(const circle &c) { vec<int, 3> v{}; v[1] = c.id; return 2 * c.area() + v[1]; }
}
