int rp(void) { return 1; }
