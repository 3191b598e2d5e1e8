/* One build per folder (plain, glibc-hwcaps/x86-64-v2, glibc-hwcaps/x86-64-v3): HW_VALUE tells which was loaded. */
int hw_value(void) { return HW_VALUE; }
