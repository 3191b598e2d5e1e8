int hid_a(void) { return 1; }
int hid_b(void) { return 2; }
