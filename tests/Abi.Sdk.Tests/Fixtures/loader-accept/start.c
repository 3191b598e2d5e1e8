/* A program without the C library's start files (no __libc_start_main, so older loaders run it too): it exits 0 when
   libanswer.so was found and bound. */
int answer(void);
void _exit(int);
void _start(void) { _exit(answer() == 42 ? 0 : 1); }
