int mid(void);
int main(void) { return mid() == 3 ? 0 : 1; }
