enum E { E_A, E_B, E_C };
int f(enum E e) { return e; }
