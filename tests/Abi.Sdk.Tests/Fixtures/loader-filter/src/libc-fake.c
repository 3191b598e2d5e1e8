/* A stand-in C library for the glibc-release tests: the banner glibc keeps in .rodata (printed when libc.so.6 is
   run, the release gnu_get_libc_version reports), and one symbol per version node. */
#ifdef RELEASE
const char __libc_banner[] __attribute__((used)) = "GNU C Library (Abi.Sdk fixture) stable release version " RELEASE ".\n";
#endif
int sym_2_2_5(void) { return 0; }
int sym_2_34(void) { return 34; }
int sym_2_35(void) { return 35; }
int sym_2_36(void) { return 36; }
int sym_2_37(void) { return 37; }
