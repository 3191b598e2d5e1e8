#include "dbgdemo.h"

long demo_two(struct polygon *p, struct line *l, int k)
{
  p->corners[0].x = k;
  p->edges = l;
  return (long)p->id + (long)l->width + p->extra.rank;
}
