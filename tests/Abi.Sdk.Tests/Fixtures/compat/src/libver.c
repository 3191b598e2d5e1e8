int ver_a(void) { return 1; }
int ver_b(void) { return 2; }
