int rp(void); int rp_extra(void);
int main(void) { return rp() + rp_extra() == 10 ? 0 : 1; }
