#include <stdarg.h>
#include "types.h"

int counter = 7;
struct point origin = { 1, 2, 3, 4, "origin", { { 1, 2, 3 }, { 4, 5, 6 } } };
static const char greeting[] = "h\xc3\xa9llo";

int sum(int n, ...)
{
  va_list ap;
  int total = 0;
  va_start(ap, n);
  for (int i = 0; i < n; i++)
    total += va_arg(ap, int);
  va_end(ap);
  return total + greeting[0];
}

long area(const struct point *restrict p, size_t count)
{
  long a = 0;
  for (size_t i = 0; i < count; i++)
    a += (long)p[i].x * p[i].y + p[i].flags;
  return a;
}

struct node *push(struct node *head, union value v)
{
  static struct node pool[8];
  static int used;
  struct node *n = &pool[used++ % 8];
  n->next = head;
  n->value = v;
  return n;
}
