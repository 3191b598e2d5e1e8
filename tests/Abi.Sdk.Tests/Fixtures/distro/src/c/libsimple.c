/* One exported function FN, unversioned, the same in both sets: libold (i), libfeat and libreq (j). */
int FN(void) { return 1; }
