#include "dbgdemo.h"

int demo_sum(const struct polygon *p, shape_visitor visit, void *data)
{
  int total = 0;
  for (size_t i = 0; i < p->count; i++)
    total += p->corners[i].x + p->corners[i].y + (int)p->corners[i].z;
  return total + (visit ? visit(p, data) : 0) + (int)p->kind;
}
