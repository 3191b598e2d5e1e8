int plain_a(void) { return 1; }
int plain_b(void) { return 2; }
