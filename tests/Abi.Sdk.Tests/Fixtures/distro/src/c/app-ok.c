/* Third-party application using only what the rebuild keeps. */
#include <stdio.h>
int liba_one(void); int b_foo(void); int new_one(void); int same_fn(void);
int main(void)
{
    printf("app-ok %d\n", liba_one() + b_foo() + new_one() + same_fn());
    return 0;
}
