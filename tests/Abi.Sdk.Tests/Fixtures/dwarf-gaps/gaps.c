/* Reader gaps of issue 16, each reached only through an exported symbol whose name no DIE carries, so that the
 * DIE must be matched by address: make-fixtures.sh builds it as DWARF 5 and 4, in the file and split (-gsplit-dwarf). */
#include <stdlib.h>

struct point { int x, y; };

__attribute__((noinline, cold)) static void fail(const char *why) { (void)why; abort(); }

/* Hot/cold split at -O2: the DIE has DW_AT_ranges (hot part first), no DW_AT_low_pc; exported only as api. */
static int impl(struct point *p, int n)
{
  int s = 0;
  for (int i = 0; i < n; i++) {
    if (__builtin_expect(p[i].x < 0, 0)) { fail("negative"); s -= p[i].y * 3; continue; }
    s += p[i].x * p[i].y;
  }
  return s;
}
int api(struct point *p, int n) __attribute__((alias("impl")));

/* A static variable exported under another name: matched by its location (DW_OP_addr, or DW_OP_addrx when split). */
static struct point origin_impl = { 1, 2 };
extern struct point origin __attribute__((alias("origin_impl")));

/* A thread-local variable exported under another name: matched by its TLS offset
 * (DW_OP_const8u or DW_OP_constx / DW_OP_GNU_const_index, then DW_OP_form_tls_address / DW_OP_GNU_push_tls_address). */
static __thread long counter_impl = 5;
extern __thread long counter __attribute__((alias("counter_impl")));
long *counter_address(void) { return &counter_impl; }
