int weak_strong(void);
extern int weak_maybe(void) __attribute__((weak));
int main(void) { return weak_strong() + (weak_maybe ? weak_maybe() : 2) == 3 ? 0 : 1; }
