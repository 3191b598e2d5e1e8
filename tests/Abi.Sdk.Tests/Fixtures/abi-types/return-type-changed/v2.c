long r(void) { return 1; }
