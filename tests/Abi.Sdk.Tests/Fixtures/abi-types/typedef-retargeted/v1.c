typedef int T;
T t(T x) { return x; }
