#include "shapes.hh"

namespace geo {
base::~base() = default;
const char *base::name() const { return "base"; }
circle::circle(double r) : radius_(r) {}
double circle::area() const { return 3.14159 * radius_ * radius_ + centre.v[0]; }
const char *circle::name() const { return "circle"; }
circle unit_circle(1.0);

double total(const base *const *shapes, std::size_t n)
{
  double t = 0;
  for (std::size_t i = 0; i < n; i++)
    t += shapes[i]->area();
  return t;
}

int &&pass(int &&x) { return static_cast<int &&>(x); }
}
