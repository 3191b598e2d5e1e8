int r(void) { return 1; }
