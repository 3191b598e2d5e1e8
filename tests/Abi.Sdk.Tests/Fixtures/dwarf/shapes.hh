// C++ types for the DWARF fixtures: classes, inheritance, virtual functions, templates, namespaces.
#include <cstddef>

namespace geo {
enum class unit : unsigned char { mm, cm, m };

struct base {
  virtual ~base();
  virtual double area() const = 0;
  virtual const char *name() const;
  int id = 0;
};

template <typename T, std::size_t N> struct vec {
  T v[N];
  T &operator[](std::size_t i) { return v[i]; }
};

class circle : public base {
public:
  explicit circle(double r);
  double area() const override;
  const char *name() const override;
  vec<double, 2> centre{};
private:
  double radius_;
  unit unit_ = unit::mm;
};

double total(const base *const *shapes, std::size_t n);
int &&pass(int &&x);
extern circle unit_circle;
}
