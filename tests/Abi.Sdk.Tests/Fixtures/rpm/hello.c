#include <math.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    (void)argv;
    printf("hello %g\n", pow(2.0, (double)argc));
    return 0;
}
