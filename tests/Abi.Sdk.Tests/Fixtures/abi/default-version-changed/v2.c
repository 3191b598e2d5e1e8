int foo_1_0(void) { return 1; }
int foo_2_0(void) { return 2; }
__asm__(".symver foo_1_0, foo@LIBFIX_1.0");
__asm__(".symver foo_2_0, foo@@LIBFIX_2.0");
