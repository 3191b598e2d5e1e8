int base_old(void);
int base_new(void);
int mid(void) { return base_old() + base_new(); }
