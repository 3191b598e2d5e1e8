int base_old(void) { return 1; }
int base_new(void) { return 2; }
