typedef long T;
T t(T x) { return x; }
