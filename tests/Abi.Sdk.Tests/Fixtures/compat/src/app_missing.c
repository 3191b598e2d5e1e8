int gone(void);
int main(void) { return gone() == 1 ? 0 : 1; }
