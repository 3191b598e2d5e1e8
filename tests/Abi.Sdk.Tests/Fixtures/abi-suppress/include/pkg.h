/* A type of the DWARF package fixtures' second unit (pkg.c), declared in a header under include/. */
struct K { int k; char c; };
