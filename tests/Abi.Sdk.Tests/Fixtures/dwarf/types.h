/* Types shared by the DWARF fixtures: what a type-level ABI diff looks at. */
#include <stddef.h>

typedef enum color { RED, GREEN = 5, BLUE = -3 } color_t;

struct point {
  int x;
  long y;
  unsigned flags : 3;
  unsigned mode : 5;
  char name[16];
  double matrix[2][3];
};

union value {
  int i;
  float f;
  const char *s;
};

typedef int (*callback_t)(const struct point *, void *);

struct node {
  struct node *next;
  volatile union value value;
  callback_t cb;
  const color_t colors[4];
};

extern int counter;
extern struct point origin;
int sum(int n, ...);
long area(const struct point *restrict p, size_t count);
struct node *push(struct node *head, union value v);
