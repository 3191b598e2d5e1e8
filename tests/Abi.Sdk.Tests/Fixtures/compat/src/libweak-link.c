int weak_strong(void) { return 1; }
int weak_maybe(void) { return 2; }
