int plain_a(void) { return 1; }
