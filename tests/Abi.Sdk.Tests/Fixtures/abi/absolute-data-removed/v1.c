/* Absolute symbols (st_shndx SHN_ABS), as --defsym or assembler .set make them: one data, one function. */
int foo(void) { return 1; }
__asm__(".globl abs_limit\n.type abs_limit,@object\n.size abs_limit,4\n.set abs_limit, 0x1234");
__asm__(".globl abs_entry\n.type abs_entry,@function\n.set abs_entry, 0x10");
