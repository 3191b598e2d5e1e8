int h(long x) { return x; }
