/* The library every scenario looks for: libanswer.so. */
int answer(void) { return 42; }
