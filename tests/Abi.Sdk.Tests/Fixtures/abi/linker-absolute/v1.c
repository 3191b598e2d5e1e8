/* As old linkers left them: _DYNAMIC and _PROCEDURE_LINKAGE_TABLE_ exported as absolute data. Today's ld refuses to
   define _DYNAMIC twice, so build.sh's post.sh renames _DYNAMIX to _DYNAMIC in the built file (same length). */
int foo(void) { return 1; }
__asm__(".globl _DYNAMIX\n.type _DYNAMIX,@object\n.set _DYNAMIX, 0x10");
__asm__(".globl _PROCEDURE_LINKAGE_TABLE_\n.type _PROCEDURE_LINKAGE_TABLE_,@object\n.set _PROCEDURE_LINKAGE_TABLE_, 0x20");
