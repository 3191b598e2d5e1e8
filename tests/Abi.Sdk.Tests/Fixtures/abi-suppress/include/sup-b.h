/* Types of the suppression pair declared in a header under include/ (see sup-a.h). */
#ifndef SUP_V2
struct M { int a; int b; };                 /* v2: member z inserted in the middle (size 8 -> 12) */
union U { int i; float f; };                /* v2: member l added (size 4 -> 8) */
#else
struct M { int a; int z; int b; };
union U { int i; float f; long l; };
#endif
