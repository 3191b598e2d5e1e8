/* The executable of a library package: calls FN (and FN2 when defined), prints and exits 0. */
#include <stdio.h>
int FN(void);
#ifdef FN2
int FN2(void);
#endif
int main(void)
{
    int r = FN();
#ifdef FN2
    r += FN2();
#endif
    printf("%s %d\n", NAME, r);
    return 0;
}
