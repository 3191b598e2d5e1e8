/* Needs the filter and then the filtee itself: the filtee, already in the search list behind the filter, moves before it. */
#include <stdio.h>
const char *who(void);
int only_filter(void);
int only_filtee(void);
int main(void) { printf("%s %d %d\n", who(), only_filter(), only_filtee()); return 0; }
