int plain_a(void); int plain_b(void);
int main(void) { return plain_a() + plain_b() == 3 ? 0 : 1; }
