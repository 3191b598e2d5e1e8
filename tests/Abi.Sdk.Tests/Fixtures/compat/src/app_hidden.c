int hid_a(void); int hid_b(void);
int main(void) { return hid_a() + hid_b() == 3 ? 0 : 1; }
