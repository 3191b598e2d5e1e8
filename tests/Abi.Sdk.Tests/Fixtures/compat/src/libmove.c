int move_a(void) { return 1; }
int move_b(void) { return 2; }
