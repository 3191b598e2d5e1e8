/* Prints which definition of who() the loader bound: "filtee" or "filter". */
#include <stdio.h>
const char *who(void);
int only_filter(void);
int main(void) { printf("%s %d\n", who(), only_filter()); return 0; }
