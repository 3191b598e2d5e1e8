int ver_a(void); int ver_b(void);
int main(void) { return ver_a() + ver_b() == 3 ? 0 : 1; }
