int deep(void);
int rp(void) { return deep(); }
int rp_extra(void) { return 7; }
