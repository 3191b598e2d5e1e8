/* e) The package of this library exists in the reference only. */
int gone_fn(void) { return 1; }
