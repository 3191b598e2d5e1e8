#include "types.h"

/* A second unit for the DWARF packages: its own strings, addresses and abbreviations. */
color_t paint(struct point *p, enum color c)
{
  p->flags = (unsigned)c;
  return c == RED ? GREEN : RED;
}
