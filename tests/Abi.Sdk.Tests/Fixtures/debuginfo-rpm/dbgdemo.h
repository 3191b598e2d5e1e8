/* Types both libraries use: dwz moves their DIEs into the multifile both debug files share. */
#include <stddef.h>

enum shape_kind { SHAPE_POINT, SHAPE_LINE, SHAPE_POLYGON = 7 };
typedef unsigned long long shape_id;

struct point { int x; int y; long z; };
struct line { struct point from, to; double width; };
struct polygon {
  shape_id id;
  enum shape_kind kind;
  size_t count;
  struct point corners[16];
  struct line *edges;
  const char *label;
  union { float weight; int rank; } extra;
};
typedef int (*shape_visitor)(const struct polygon *, void *);
