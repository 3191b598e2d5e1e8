enum E { E_A, E_B };
int f(enum E e) { return e; }
