enum E { E_A, E_B = 1 };
int f(enum E e) { return e; }
