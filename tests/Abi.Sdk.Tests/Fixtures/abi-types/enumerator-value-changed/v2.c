enum E { E_A, E_B = 5 };
int f(enum E e) { return e; }
