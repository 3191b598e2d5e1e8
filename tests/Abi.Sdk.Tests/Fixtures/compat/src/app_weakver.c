/* Needs VER_2 of libver.so.1 only for a weak reference; build.sh marks that need VER_FLG_WEAK. */
int ver_a(void);
extern int ver_b(void) __attribute__((weak));
int main(void) { return ver_a() + (ver_b ? ver_b() : 2) == 3 ? 0 : 1; }
