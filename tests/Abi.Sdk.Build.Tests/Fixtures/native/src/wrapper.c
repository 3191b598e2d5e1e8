/* Needs libneedsnew.so (found next to it through RUNPATH $ORIGIN): the GLIBC_2.36 need comes in through that library. */
unsigned int fixture_random(void);
unsigned int wrapper_random(void) { return fixture_random() | 1u; }
