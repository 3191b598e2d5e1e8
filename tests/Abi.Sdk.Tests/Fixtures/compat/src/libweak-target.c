int weak_strong(void) { return 1; }
int weak_other(void) { return 3; }
