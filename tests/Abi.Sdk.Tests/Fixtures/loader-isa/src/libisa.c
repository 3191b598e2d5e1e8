/* The dependency: the same function in every build; only its ISA-level mark differs. */
int lib_value(void) { return 42; }
