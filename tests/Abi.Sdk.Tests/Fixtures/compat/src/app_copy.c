extern int data_table[4];
int main(void) { return data_table[0] == 1 ? 0 : 1; }
