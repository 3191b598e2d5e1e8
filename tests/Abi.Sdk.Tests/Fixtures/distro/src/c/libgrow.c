/* d) An exported object that grows in the rebuild: executables hold a copy of it (R_X86_64_COPY) sized for 4. */
#ifdef REBUILD
int grow_table[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
#else
int grow_table[4] = { 1, 2, 3, 4 };
#endif
int grow_count(void) { return sizeof grow_table / sizeof grow_table[0]; }
