/* A static executable of glibc's own startup code; built at test time (gcc -static), marked by the linker only. */
int main(void) { return 0; }
