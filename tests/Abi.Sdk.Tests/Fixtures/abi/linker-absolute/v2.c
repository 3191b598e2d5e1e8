/* A current link: the linker's tables are no longer exported. */
int foo(void) { return 1; }
