/* A weak version need (marked by build.sh) but a strong reference: the version check passes, binding fails. */
int ver_a(void); int ver_b(void);
int main(void) { return ver_a() + ver_b() == 3 ? 0 : 1; }
