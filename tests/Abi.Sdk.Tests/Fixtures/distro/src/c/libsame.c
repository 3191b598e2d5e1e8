/* h) Identical in both sets (only the release differs); i) libold and j) libfeat, libreq use it too. */
int same_fn(void) { return 1; }
