/* Types of the suppression pair declared in a header of their own, for source_location_not_in/_regexp: v1.c
   includes it as is, v2.c with SUP_V2 defined. */
#ifndef SUP_V2
struct S { int a; int b; };                 /* v2: member c added at the end (size 8 -> 12) */
struct P { char a; int b; };                /* v2: member c inserted into the padding (size stays 8) */
typedef int T;                              /* v2: typedef long */
#else
struct S { int a; int b; int c; };
struct P { char a; char c; int b; };
typedef long T;
#endif
