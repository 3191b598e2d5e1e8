/* f) Same source; the rebuild links it as libd.so.2 (a SONAME bump, package name unchanged). */
int d_fn(void) { return 1; }
