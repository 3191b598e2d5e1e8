/* Reads grow_table directly: the executable holds a copy of it (R_X86_64_COPY) of the size it was linked with. */
#include <stdio.h>
extern int grow_table[];
int grow_count(void);
int main(void)
{
    printf("%s %d %d\n", NAME, grow_table[3], grow_count());
    return 0;
}
